/**
 * tracker/status — a JSON-able picture of the tracker for `mathstream status` and debugging:
 * every tracked file with its size, references, accesses and collector score; which processes
 * hold references (and whether they still run); totals.
 */
import { isOwnerAlive, currentOwner } from '../storage/owner.js';
import { trackerNow, withTracker } from './connection.js';
import { garbageScore } from './collector.js';
import { SCHEMA_VERSION } from './schema.js';
import { getConfig } from '../config.js';
import { isAbandoned, listCheckpoints } from '../storage/checkpoint.js';

export interface TrackedFileStatus {
  readonly path: string;
  /** Bytes, or null when unknown (registered before the file was written). */
  readonly size: number | null;
  readonly refCount: number;
  readonly accessCount: number;
  /** ISO 8601 times. */
  readonly created: string;
  readonly lastAccess: string;
  /** Collector score now (see collector.ts). */
  readonly score: number;
}

export interface HolderStatus {
  readonly path: string;
  /** Owner token `<pid>.<start>` of the holding process. */
  readonly owner: string;
  readonly count: number;
  readonly alive: boolean;
  /** True for references held by the process asking. */
  readonly self: boolean;
}

/** A resumable run's checkpoint folder (storage/checkpoint.ts). */
export interface CheckpointStatus {
  readonly path: string;
  /** Bytes of its files. */
  readonly size: number;
  /** True while a living process works in it. */
  readonly held: boolean;
  /** ISO 8601 time of its latest change. */
  readonly modified: string;
  /** True when reconciliation or `gc` would remove it now (unheld and older than checkpointMaxAgeDays). */
  readonly abandoned: boolean;
}

export interface TrackerStatus {
  readonly home: string;
  readonly logDir: string;
  readonly database: string;
  readonly schemaVersion: number;
  readonly files: TrackedFileStatus[];
  readonly holders: HolderStatus[];
  /** Checkpoint folders of resumable runs (interrupted, or running now). */
  readonly checkpoints: CheckpointStatus[];
  readonly totals: {
    readonly files: number;
    readonly bytes: number;
    readonly references: number;
    readonly unreferencedFiles: number;
    /** Distinct live processes holding references. */
    readonly liveHolders: number;
  };
}

/**
 * The tracker's state now (`now` in milliseconds, default the tracker clock). Read-only: dead holders are
 * reported (`alive: false`), not released; reconcile() or a gc does that.
 * @throws {TrackerError} the tracker database cannot be opened or queried (SQLite failure, unusable home)
 * @throws {InvalidArgumentError} the log folder is a symlink or not a folder (checked when the tracker opens)
 * @example
 * trackerStatus().totals; // e.g. { files: 3, bytes: 1200, references: 2, unreferencedFiles: 1, liveHolders: 1 }
 */
export function trackerStatus(now: number = trackerNow()): TrackerStatus {
  return withTracker((ctx) => {
    const files = ctx.sql.allLogs.all().map((row) => ({
      path: row.path,
      size: row.size,
      refCount: row.ref_count,
      accessCount: row.access_count,
      created: new Date(row.created).toISOString(),
      lastAccess: new Date(row.last_access).toISOString(),
      score: garbageScore(now - row.last_access, row.ref_count, row.access_count),
    }));
    const me = currentOwner();
    const liveness = new Map<string, boolean>();
    const holders = ctx.sql.allHolders.all().map((row) => {
      if (!liveness.has(row.owner)) liveness.set(row.owner, isOwnerAlive(row.owner));
      return { ...row, alive: liveness.get(row.owner)!, self: row.owner === me };
    });
    const maxAgeMs = getConfig().checkpointMaxAgeDays * 86_400_000;
    const checkpoints = listCheckpoints(ctx.logDir).map((info) => ({
      path: info.path,
      size: info.sizeBytes,
      held: info.held,
      modified: new Date(info.modifiedMs).toISOString(),
      abandoned: isAbandoned(info, Date.now(), maxAgeMs),
    }));
    return {
      home: ctx.home,
      logDir: ctx.logDir,
      database: ctx.dbPath,
      schemaVersion: SCHEMA_VERSION,
      files,
      holders,
      checkpoints,
      totals: {
        files: files.length,
        bytes: files.reduce((sum, f) => sum + (f.size ?? 0), 0),
        references: files.reduce((sum, f) => sum + f.refCount, 0),
        unreferencedFiles: files.filter((f) => f.refCount === 0).length,
        liveHolders: [...liveness.values()].filter(Boolean).length,
      },
    };
  });
}
