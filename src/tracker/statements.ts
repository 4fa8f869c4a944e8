/**
 * tracker/statements — the prepared SQL of the watcher, compiled once per open database.
 *
 * Every statement here is a single row-level step; the callers compose them inside one
 * IMMEDIATE transaction (see connection.ts `withTrackerLock`) so that the invariant
 * `refs.ref_count = SUM(holders.count)` holds between transactions, in every process.
 */
import type { Database, Statement } from 'better-sqlite3';

/** A row of `logs` joined with its reference count. */
export interface LogRow {
  path: string;
  created: number;
  last_access: number;
  access_count: number;
  size: number | null;
  ref_count: number;
}

export interface HolderRow {
  path: string;
  owner: string;
  count: number;
}

export interface Statements {
  insertLog: Statement<[string, number, number, number | null]>;
  insertRef: Statement<[string]>;
  access: Statement<[number, string]>;
  refCount: Statement<[string], { ref_count: number }>;
  incrementRef: Statement<[string], { ref_count: number }>;
  decrementRef: Statement<[string], { ref_count: number }>;
  addHolder: Statement<[string, string]>;
  setHolder: Statement<[string, string, number]>;
  holderCount: Statement<[string, string], { count: number }>;
  decrementHolder: Statement<[string, string]>;
  deleteEmptyHolder: Statement<[string, string]>;
  deleteLog: Statement<[string]>;
  deleteRef: Statement<[string]>;
  deleteHolders: Statement<[string]>;
  allRefs: Statement<[], { path: string; ref_count: number }>;
  allLogs: Statement<[], LogRow>;
  unreferencedLogs: Statement<[], LogRow>;
  owners: Statement<[], { owner: string }>;
  ownerTotal: Statement<[string], { total: number }>;
  deleteOwner: Statement<[string]>;
  allHolders: Statement<[], HolderRow>;
  recomputeAllRefs: Statement<[]>;
  insertMissingRefs: Statement<[]>;
  deleteStrayRefs: Statement<[]>;
  deleteStrayHolders: Statement<[]>;
  begin: Statement<[]>;
  commit: Statement<[]>;
  rollback: Statement<[]>;
}

const LOG_COLUMNS = `l.path, l.created, l.last_access, l.access_count, l.size, COALESCE(r.ref_count, 0) AS ref_count`;

export function prepareStatements(db: Database): Statements {
  return {
    // A re-registration keeps `created` and the counters; a newly known size wins over NULL.
    insertLog: db.prepare(
      `INSERT INTO logs (path, created, last_access, access_count, size) VALUES (?, ?, ?, 0, ?)
       ON CONFLICT(path) DO UPDATE SET size = COALESCE(excluded.size, logs.size)`,
    ),
    insertRef: db.prepare('INSERT INTO refs (path, ref_count) VALUES (?, 0) ON CONFLICT(path) DO NOTHING'),
    access: db.prepare('UPDATE logs SET last_access = ?, access_count = access_count + 1 WHERE path = ?'),
    refCount: db.prepare('SELECT ref_count FROM refs WHERE path = ?'),
    incrementRef: db.prepare('UPDATE refs SET ref_count = ref_count + 1 WHERE path = ? RETURNING ref_count'),
    decrementRef: db.prepare('UPDATE refs SET ref_count = ref_count - 1 WHERE path = ? RETURNING ref_count'),
    addHolder: db.prepare(
      `INSERT INTO holders (path, owner, count) VALUES (?, ?, 1)
       ON CONFLICT(path, owner) DO UPDATE SET count = count + 1`,
    ),
    setHolder: db.prepare(
      `INSERT INTO holders (path, owner, count) VALUES (?, ?, ?)
       ON CONFLICT(path, owner) DO UPDATE SET count = excluded.count`,
    ),
    holderCount: db.prepare('SELECT count FROM holders WHERE path = ? AND owner = ?'),
    decrementHolder: db.prepare('UPDATE holders SET count = count - 1 WHERE path = ? AND owner = ?'),
    deleteEmptyHolder: db.prepare('DELETE FROM holders WHERE path = ? AND owner = ? AND count <= 0'),
    deleteLog: db.prepare('DELETE FROM logs WHERE path = ?'),
    deleteRef: db.prepare('DELETE FROM refs WHERE path = ?'),
    deleteHolders: db.prepare('DELETE FROM holders WHERE path = ?'),
    allRefs: db.prepare('SELECT path, ref_count FROM refs ORDER BY path'),
    allLogs: db.prepare(`SELECT ${LOG_COLUMNS} FROM logs l LEFT JOIN refs r ON r.path = l.path ORDER BY l.path`),
    unreferencedLogs: db.prepare(
      `SELECT ${LOG_COLUMNS} FROM logs l LEFT JOIN refs r ON r.path = l.path
       WHERE COALESCE(r.ref_count, 0) <= 0 ORDER BY l.path`,
    ),
    owners: db.prepare('SELECT DISTINCT owner FROM holders'),
    ownerTotal: db.prepare('SELECT COALESCE(SUM(count), 0) AS total FROM holders WHERE owner = ?'),
    deleteOwner: db.prepare('DELETE FROM holders WHERE owner = ?'),
    allHolders: db.prepare('SELECT path, owner, count FROM holders ORDER BY path, owner'),
    recomputeAllRefs: db.prepare(
      `UPDATE refs SET ref_count = COALESCE((SELECT SUM(h.count) FROM holders h WHERE h.path = refs.path), 0)
       WHERE ref_count IS NOT COALESCE((SELECT SUM(h.count) FROM holders h WHERE h.path = refs.path), 0)`,
    ),
    insertMissingRefs: db.prepare(
      'INSERT INTO refs (path, ref_count) SELECT path, 0 FROM logs WHERE path NOT IN (SELECT path FROM refs)',
    ),
    deleteStrayRefs: db.prepare('DELETE FROM refs WHERE path NOT IN (SELECT path FROM logs)'),
    deleteStrayHolders: db.prepare('DELETE FROM holders WHERE path NOT IN (SELECT path FROM logs)'),
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
  };
}

/** What the tracker's operations need: the open database, its statements and the log folder. */
export interface TrackerContext {
  readonly db: Database;
  readonly sql: Statements;
  readonly home: string;
  readonly logDir: string;
  readonly dbPath: string;
}
