/**
 * tracker/connection — the lazily opened, per-home tracker database of this process, its
 * clock, and the cross-process lock (`withTrackerLock`).
 *
 * The first use in a process (and the first use after `closeTracker()` or after
 * `configure({ home })` moved the home) opens `<home>/mathstream.sqlite`, creates the schema
 * and then either reconciles (default) or wipes the records (`resetOnStart`, the prototype's
 * behaviour). All writes run in IMMEDIATE transactions: the write lock is taken at BEGIN, so
 * two processes never both read a count and then both write it, and a writer never hits
 * SQLITE_BUSY half-way through (it waits up to the busy timeout at BEGIN instead).
 */
import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { getConfig, onConfigChange } from '../config.js';
import { MathStreamError, TrackerError } from '../errors.js';
import { applyPragmas, BUSY_TIMEOUT_MS, ensureSchema, wipeTables } from './schema.js';
import { prepareStatements, type TrackerContext } from './statements.js';
import { reconcileWith, type ReconcileReport } from './reconcile.js';
import { ensureRealLogDir } from './paths.js';
import { ensureReserve } from './reserve.js';
import { removeAllMarkers } from './markers.js';

let context: TrackerContext | undefined;
let clock: () => number = Date.now;
let lastStartUp: ReconcileReport | undefined;

/** The tracker's notion of "now" in milliseconds (replaceable in tests). */
export function trackerNow(): number {
  return clock();
}

/**
 * @internal Test-only hook, the one knob left as module state (docs/ARCHITECTURE.md, "Configuration
 * and per-call knobs"): makes the tracker read time from `now` (milliseconds since the epoch)
 * instead of `Date.now`; call with no argument to restore the real clock. Not a user setting: the
 * time is read deep inside registration, access, reconciliation and start-up, so a per-call option
 * would widen every public tracker API for tests alone; the collector's decisions take a per-call
 * `now` (CollectOptions) instead.
 */
export function setTrackerClock(now?: () => number): void {
  clock = now ?? Date.now;
}

/** Turns a SQLite failure into a TrackerError naming the database; other errors pass through. */
export function asTrackerError(error: unknown, dbPath: string): unknown {
  if (error instanceof MathStreamError) return error;
  if (error instanceof Database.SqliteError) {
    const full = error.code === 'SQLITE_FULL' || error.code === 'SQLITE_IOERR_SHMSIZE' || error.code === 'SQLITE_IOERR_WRITE';
    const hint = full ? '; the disk looks full: `mathstream gc --threshold 0` can still free space (it keeps a reserve for this)' : '';
    return new TrackerError(`tracker database ${dbPath}: ${error.message} (${error.code})${hint}`, error);
  }
  return error;
}

/**
 * The path of better-sqlite3's compiled addon, or undefined where it is not at its usual place (then better-sqlite3
 * finds it itself). Why: without `nativeBinding`, better-sqlite3 loads its addon through the `bindings` package,
 * which loads and compiles its own modules, reads package.json files and tries a dozen candidate paths: ~20 ms of the
 * 27 ms the tracker's first open cost at the end of the 1.6·10^7-digit file product (bench/mul.ts child, --cpu-prof),
 * where nothing else runs. Given the path, it is one require (dlopen).
 */
function addonPath(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
  } catch {
    return undefined;
  }
}

function open(): TrackerContext {
  const { home, logDir, dbPath, resetOnStart } = getConfig();
  let db: Database.Database | undefined;
  try {
    ensureRealLogDir(logDir);
    const nativeBinding = addonPath();
    db = new Database(dbPath, nativeBinding === undefined ? { timeout: BUSY_TIMEOUT_MS } : { timeout: BUSY_TIMEOUT_MS, nativeBinding });
    applyPragmas(db);
    ensureSchema(db);
    const ctx: TrackerContext = { db, sql: prepareStatements(db), home, logDir, dbPath };
    startUp(ctx, resetOnStart);
    ensureReserve(home); // room for a later gc on a full disk (reserve.ts)
    return ctx;
  } catch (error) {
    db?.close();
    // A system error here (not SQLite's) comes from creating the folders: MATHSTREAM_HOME names
    // a file, a path too long, a symlink loop, no permission. TrackerError maps those to exit 2.
    if (!(error instanceof MathStreamError) && !(error instanceof Database.SqliteError) && typeof (error as NodeJS.ErrnoException).code === 'string') {
      throw new TrackerError(`cannot open the tracker in ${home}: ${(error as Error).message}`, error);
    }
    throw asTrackerError(error, dbPath);
  }
}

function startUp(ctx: TrackerContext, resetOnStart: boolean): void {
  ctx.sql.begin.run();
  try {
    if (resetOnStart) {
      wipeTables(ctx.db);
      removeAllMarkers(ctx);
      lastStartUp = undefined;
    } else {
      lastStartUp = reconcileWith(ctx, trackerNow());
    }
    ctx.sql.commit.run();
  } catch (error) {
    if (ctx.db.inTransaction) ctx.sql.rollback.run();
    throw error;
  }
}

/** The open tracker of the configured home, opened (and reconciled) on first use. */
export function tracker(): TrackerContext {
  if (context === undefined) {
    context = open();
    closeAtExit();
  }
  return context;
}

/**
 * What the start-up reconciliation of the current database repaired (undefined after a reset, or before the
 * tracker was first opened: this does not open it).
 * @example
 * trackedFiles(); // opens the tracker, which reconciles
 * startUpReport(); // what that reconciliation repaired
 */
export function startUpReport(): ReconcileReport | undefined {
  return lastStartUp;
}

/**
 * Closes the database; the next tracker call reopens it (and reconciles again). A transaction left open is
 * rolled back; closing a tracker that is not open does nothing.
 * @example
 * closeTracker(); // e.g. before moving or deleting the home
 */
export function closeTracker(): void {
  const ctx = context;
  context = undefined;
  if (ctx === undefined) return;
  if (ctx.db.inTransaction) ctx.sql.rollback.run();
  ctx.db.close();
}

onConfigChange((next, previous) => {
  if (next.dbPath !== previous.dbPath || next.logDir !== previous.logDir) closeTracker();
});

let exitHookInstalled = false;

/**
 * Closes the database at exit (a clean close checkpoints and removes the -wal file). Installed
 * at the first open, i.e. after number.ts installed its own exit hook that releases the live
 * handles: 'exit' listeners run in order, so those releases still find the database open.
 */
function closeAtExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', closeTracker);
}

function isPromiseLike(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Runs `fn` inside one IMMEDIATE transaction on the tracker database, i.e. while holding the
 * home's write lock against every other process. Nested calls just run `fn` in the open
 * transaction. If `fn` throws, every tracker change it made is rolled back (file-system
 * changes are not: `fn` must order them so that a rollback leaves a state reconciliation
 * repairs). `fn` must be synchronous: an await would release nothing and hold the lock.
 */
export function withTrackerLock<T>(fn: () => T): T {
  const ctx = tracker();
  if (ctx.db.inTransaction) return fn();
  try {
    ctx.sql.begin.run();
  } catch (error) {
    throw asTrackerError(error, ctx.dbPath);
  }
  try {
    const result = fn();
    if (isPromiseLike(result)) {
      throw new TrackerError('withTrackerLock: the function must be synchronous (it returned a promise)');
    }
    ctx.sql.commit.run();
    return result;
  } catch (error) {
    if (ctx.db.inTransaction) ctx.sql.rollback.run();
    throw asTrackerError(error, ctx.dbPath);
  }
}

/** Runs a read or a single-statement write, mapping SQLite failures to TrackerError. */
export function withTracker<T>(fn: (ctx: TrackerContext) => T): T {
  const ctx = tracker();
  try {
    return fn(ctx);
  } catch (error) {
    throw asTrackerError(error, ctx.dbPath);
  }
}
