/**
 * tracker/schema — the SQLite tables of the watcher and the connection settings that let
 * several processes share one home.
 *
 * Tables (the prototype's names, plus what crash safety needs):
 * - `logs(path, created, last_access, access_count, size)`: one row per staged file; times are
 *   milliseconds since the epoch from the tracker clock; `size` in bytes (NULL if unknown).
 * - `refs(path, ref_count)`: how many live handles reference the file.
 * - `holders(path, owner, count)`: which process (owner token `<pid>.<start>`, see
 *   storage/owner.ts) holds how many of those references. Invariant:
 *   `refs.ref_count = SUM(holders.count)` for the path, so the references of a crashed process
 *   can be released by deleting its holder rows and recomputing.
 *
 * `PRAGMA user_version` holds SCHEMA_VERSION so a later release can migrate an older database
 * (and refuse a newer one instead of misreading it).
 */
import type { Database } from 'better-sqlite3';
import { TrackerError } from '../errors.js';

export const SCHEMA_VERSION = 1;

/** How long a statement waits for another process's write lock before failing. */
export const BUSY_TIMEOUT_MS = 10_000;

const CREATE_TABLES = `
  CREATE TABLE IF NOT EXISTS logs (
    path         TEXT PRIMARY KEY,
    created      INTEGER NOT NULL,
    last_access  INTEGER NOT NULL,
    access_count INTEGER NOT NULL DEFAULT 0,
    size         INTEGER
  );
  CREATE TABLE IF NOT EXISTS refs (
    path      TEXT PRIMARY KEY,
    ref_count INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE IF NOT EXISTS holders (
    path  TEXT NOT NULL,
    owner TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (path, owner)
  ) WITHOUT ROWID;
`;
// No index on holders(owner): owners are looked up only by reconciliation and the collector,
// over a table as small as the number of live handles, while every reference change would pay
// for one more page written per commit.

/**
 * Connection settings: WAL lets readers proceed while one process writes; synchronous=NORMAL
 * is durable across process crashes in WAL mode (only an OS crash may lose the last commits,
 * which reconciliation then repairs from the folder's contents).
 */
export function applyPragmas(db: Database): void {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (String(mode).toLowerCase() !== 'wal') {
    throw new TrackerError(`tracker database ${db.name}: cannot switch to WAL mode (got ${String(mode)})`);
  }
  db.pragma('synchronous = NORMAL');
}

/** Creates the tables or checks that an existing database has a schema this code understands. */
export function ensureSchema(db: Database): void {
  db.prepare('BEGIN IMMEDIATE').run();
  try {
    const version = Number(db.pragma('user_version', { simple: true }));
    if (version > SCHEMA_VERSION) {
      throw new TrackerError(
        `tracker database ${db.name} has schema version ${version}, newer than this mathstream (${SCHEMA_VERSION}); ` +
          'upgrade mathstream or use another MATHSTREAM_HOME',
      );
    }
    db.exec(CREATE_TABLES);
    if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
    db.prepare('COMMIT').run();
  } catch (error) {
    if (db.inTransaction) db.prepare('ROLLBACK').run();
    throw error;
  }
}

/** Empties every table (the prototype's reset and `wipeLogRecords`). */
export function wipeTables(db: Database): void {
  db.exec('DELETE FROM logs; DELETE FROM refs; DELETE FROM holders;');
}
