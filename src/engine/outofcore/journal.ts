/**
 * outofcore/journal — what a resumable out-of-core operation records about the units of work it has finished,
 * so that a rerun of the same operation after a kill, crash or power loss skips them.
 *
 * The interface is all a computation sees (multiply.ts, power.ts, divide.ts): it asks `get(key)` before a unit of
 * work and calls `set(key, value)` after the unit's data files are written and flushed. The value is the unit's
 * verification record (a checksum or residue of its data, and the parameters it was computed with), so a torn
 * unit — recorded but whose data does not match — is detected by the computation and redone, never trusted.
 *
 * `MemoryJournal` remembers nothing across processes (the default: a run that is not resumable). `FileJournal`,
 * whose records survive the process, is the resumable kind (docs/ARCHITECTURE.md, "Resumable runs").
 *
 * FileJournal's format: an append-only text file, one record per line, `<16 hex digits> <JSON>\n`, the hex digits
 * being the start of the SHA-256 of the JSON. The JSON is `["set", key, value]` or `["forget", prefix]`; records
 * apply in order. On opening, the first line that is incomplete or whose hash does not match ends the journal: it
 * and everything after it are cut off the file, never trusted.
 *
 * Durability. A synced append (the default) ends with an fdatasync, which also makes every earlier append durable.
 * A lazy one (`{ sync: false }`) is only written: a kill keeps it (the page cache survives the process), a power
 * loss may lose it, or leave a hole of zeros before a later record that reached the disk — the hole ends the journal
 * there, so a power loss can only lose records, never reorder or invent one. Lazy records are for units whose data
 * is verified against the record when a rerun uses it (transform2d.ts): losing such a record costs the unit, and a
 * record whose data was lost is caught by that verification.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { storageError } from '../../errors.js';

/** The records of one operation's finished units of work, by key. */
export interface Journal {
  /** True when records survive this process (a rerun of the same operation will see them). */
  readonly durable: boolean;
  /** The record stored under `key` by this run or an earlier one; undefined when there is none. */
  get(key: string): string | undefined;
  /**
   * Stores `value` under `key`. For a durable journal the record is on disk when the promise resolves (with
   * `sync: false` it is only written: see the module comment), so the caller must have flushed (fdatasync) the data
   * the record describes first, unless that data is verified against the record before any use.
   */
  set(key: string, value: string, options?: AppendOptions): Promise<void>;
  /** Drops every record whose key starts with `prefix` (a finished sub-computation's units are no longer needed). */
  forget(prefix: string, options?: AppendOptions): Promise<void>;
}

/**
 * A record's value parsed as JSON, or undefined when there is none or it does not parse (a torn or foreign record:
 * the caller redoes or drops what it described, never trusts it).
 */
export function parseRecord<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** How an append reaches the disk (module comment, "Durability"). */
export interface AppendOptions {
  /** Default true: resolve only once the record (and every earlier one) is on disk. */
  readonly sync?: boolean;
}

function countPrefix(keys: Iterable<string>, prefix: string): number {
  let n = 0;
  for (const key of keys) if (key.startsWith(prefix)) n++;
  return n;
}

/** A journal for one process only: nothing is resumable. */
export class MemoryJournal implements Journal {
  readonly durable = false;
  private readonly records = new Map<string, string>();

  get(key: string): string | undefined {
    return this.records.get(key);
  }

  async set(key: string, value: string, _options?: AppendOptions): Promise<void> {
    this.records.set(key, value);
  }

  async forget(prefix: string, _options?: AppendOptions): Promise<void> {
    for (const key of [...this.records.keys()]) if (key.startsWith(prefix)) this.records.delete(key);
  }
}

function recordHash(json: string): string {
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}

/** What opening a FileJournal found. */
export interface JournalReplay {
  /** Records applied. */
  readonly records: number;
  /** Bytes of a torn or corrupt tail cut off the file (0 when it ended cleanly). */
  readonly discardedBytes: number;
}

/** A journal in a file: records survive the process (see the module comment for the format). */
export class FileJournal implements Journal {
  readonly durable = true;
  private readonly records = new Map<string, string>();
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    private handle: FileHandle | undefined,
    private position: number,
    readonly replay: JournalReplay,
  ) {}

  /**
   * Opens (or creates) the journal at `path` and replays it, cutting a torn tail off.
   * @throws {StorageError} the file cannot be opened, read or cut
   * @example const journal = await FileJournal.open(join(folder, 'journal')); journal.get('pow:step');
   */
  static async open(path: string): Promise<FileJournal> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'a+');
    } catch (error) {
      throw storageError(path, 'open journal', error);
    }
    try {
      const text = (await handle.readFile()).toString('utf8');
      const parsed: Array<[string, string, string?]> = [];
      let good = 0;
      for (let at = 0; at < text.length; ) {
        const end = text.indexOf('\n', at);
        if (end < 0) break;
        const line = text.slice(at, end);
        const json = line.slice(17);
        if (line[16] !== ' ' || recordHash(json) !== line.slice(0, 16)) break;
        let record: unknown;
        try {
          record = JSON.parse(json);
        } catch {
          break;
        }
        if (!Array.isArray(record) || !record.every((part) => typeof part === 'string')) break;
        parsed.push(record as [string, string, string?]);
        at = end + 1;
        good = Buffer.byteLength(text.slice(0, at));
      }
      const total = Buffer.byteLength(text);
      if (good < total) {
        await handle.truncate(good);
        await handle.datasync();
      }
      const journal = new FileJournal(path, handle, good, { records: parsed.length, discardedBytes: total - good });
      for (const [kind, key, value] of parsed) {
        if (kind === 'set' && value !== undefined) journal.records.set(key, value);
        else if (kind === 'forget') journal.dropPrefix(key);
      }
      return journal;
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw storageError(path, 'read journal', error);
    }
  }

  get(key: string): string | undefined {
    return this.records.get(key);
  }

  /** Every record now in force (a copy). */
  entries(): Array<[string, string]> {
    return [...this.records.entries()];
  }

  set(key: string, value: string, options?: AppendOptions): Promise<void> {
    this.records.set(key, value);
    return this.append(JSON.stringify(['set', key, value]), options?.sync ?? true);
  }

  forget(prefix: string, options?: AppendOptions): Promise<void> {
    this.dropPrefix(prefix);
    return this.append(JSON.stringify(['forget', prefix]), options?.sync ?? true);
  }

  /** How many records in force have a key starting with `prefix` (what a resumed run reports it found). */
  count(prefix: string): number {
    return countPrefix(this.records.keys(), prefix);
  }

  /** Waits for pending appends and closes the file. */
  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
  }

  private dropPrefix(prefix: string): void {
    for (const key of [...this.records.keys()]) if (key.startsWith(prefix)) this.records.delete(key);
  }

  /** Appends one record (and syncs the file when `sync`); appends run one at a time, in call order. */
  private append(json: string, sync: boolean): Promise<void> {
    const line = Buffer.from(`${recordHash(json)} ${json}\n`);
    const next = this.queue.then(async () => {
      const handle = this.handle;
      if (!handle) throw storageError(this.path, 'append to journal', new Error('journal is closed'));
      try {
        for (let done = 0; done < line.length; ) {
          const { bytesWritten } = await handle.write(line, done, line.length - done, this.position + done);
          done += bytesWritten;
        }
        if (sync) await handle.datasync();
      } catch (error) {
        throw storageError(this.path, 'append to journal', error);
      }
      this.position += line.length;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
