/**
 * outofcore/journal — what a resumable out-of-core operation records about the units of work it has finished,
 * so that a rerun of the same operation after a kill, crash or power loss skips them.
 *
 * The interface is all a computation sees (multiply.ts, power.ts, divide.ts): it asks `get(key)` before a unit of
 * work and calls `set(key, value)` after the unit's data files are written and flushed. The value is the unit's
 * verification record (a checksum or residue of its data, and the parameters it was computed with), so a torn
 * unit — recorded but whose data does not match — is detected by the computation and redone, never trusted.
 *
 * `MemoryJournal` remembers nothing across processes (the default: a run that is not resumable). The durable
 * journal, whose records and files survive the process, is the resumable kind (docs/ARCHITECTURE.md, "Resumable
 * runs").
 */

/** The records of one operation's finished units of work, by key. */
export interface Journal {
  /** True when records survive this process (a rerun of the same operation will see them). */
  readonly durable: boolean;
  /** The record stored under `key` by this run or an earlier one; undefined when there is none. */
  get(key: string): string | undefined;
  /**
   * Stores `value` under `key`. For a durable journal the record is on disk when the promise resolves, so the
   * caller must have flushed (fdatasync) the data the record describes first.
   */
  set(key: string, value: string): Promise<void>;
  /** Drops every record whose key starts with `prefix` (a finished sub-computation's units are no longer needed). */
  forget(prefix: string): Promise<void>;
}

/** A journal for one process only: nothing is resumable. */
export class MemoryJournal implements Journal {
  readonly durable = false;
  private readonly records = new Map<string, string>();

  get(key: string): string | undefined {
    return this.records.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    this.records.set(key, value);
  }

  async forget(prefix: string): Promise<void> {
    for (const key of [...this.records.keys()]) if (key.startsWith(prefix)) this.records.delete(key);
  }
}
