/**
 * units — the finished units of an out-of-core pi run (a leaf subtree, a merge on files, the root merge, the square
 * root, the quotient) and their durable journal, so that a rerun after a kill, crash or power loss resumes from the
 * last finished unit (docs/ARCHITECTURE.md, "pi beyond the memory budget").
 *
 * A unit's numbers are ordinary staged results in the log folder (engine results), held by this process while it
 * runs. Its record in the journal names their files with their digit counts and residues modulo a prime drawn once
 * per run (stored in the journal): a record is written only after its files are complete (engine results are
 * flushed and renamed before they are returned), and a rerun uses a unit only if every file still exists with the
 * recorded digit count and residue, so a torn or swept unit is recomputed, never trusted.
 *
 * Every staged file the run creates is recorded (`own:` records) as soon as it exists, so a rerun frees what a
 * killed run left at reference 0 (a merge's intermediate products) once it has its result; on success every file is
 * freed and the journal removed. An abandoned run (never rerun) leaves its files at reference 0, which the collector sweeps like any
 * unreferenced staged file (`gc`); the journal, a few kilobytes under `<home>/resume/`, names them.
 *
 * The journal implements engine/outofcore/journal.ts's `Journal`; `openPiJournal` is the one place that makes it,
 * so the engine's durable journal can replace this one in one line.
 */
import { closeSync, fdatasyncSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { getConfig } from '../../config.js';
import { InvalidArgumentError, StorageError } from '../../errors.js';
import { randomCheckPrime } from '../../kernel/check-prime.js';
import { StreamNumber } from '../../number.js';
import { currentOwner, isOwnerAlive, readForward } from '../../storage/index.js';
import type { Journal } from '../../engine/outofcore/journal.js';
import { asciiResidue, mulMod, powMod } from '../../engine/outofcore/residue.js';

/**
 * A journal in one append-only file of JSON lines, each flushed (fdatasync) before `set` resolves. A torn last line
 * (a kill during the append) does not parse and is ignored; a later line for the same key wins.
 */
export class PiFileJournal implements Journal {
  readonly durable = true;
  private readonly records = new Map<string, string>();

  private constructor(readonly path: string) {}

  /** Opens (or creates) the journal at `path`, loading its records. */
  static open(path: string): PiFileJournal {
    const journal = new PiFileJournal(path);
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new StorageError(path, 'read the journal', error);
    }
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        const entry = JSON.parse(line) as { k: string; v?: string; forget?: boolean };
        if (entry.forget) {
          for (const key of [...journal.records.keys()]) if (key.startsWith(entry.k)) journal.records.delete(key);
        } else if (typeof entry.v === 'string') journal.records.set(entry.k, entry.v);
      } catch {
        // a torn line: its unit is redone
      }
    }
    return journal;
  }

  get size(): number {
    return this.records.size;
  }

  keys(): string[] {
    return [...this.records.keys()];
  }

  get(key: string): string | undefined {
    return this.records.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    this.append({ k: key, v: value });
    this.records.set(key, value);
  }

  async forget(prefix: string): Promise<void> {
    this.append({ k: prefix, forget: true });
    for (const key of [...this.records.keys()]) if (key.startsWith(prefix)) this.records.delete(key);
  }

  /** Deletes the journal file (the run is finished or started over). */
  remove(): void {
    rmSync(this.path, { force: true });
    this.records.clear();
  }

  private append(entry: object): void {
    let fd: number | undefined;
    try {
      // A line may follow a torn one: start on a fresh line so the torn text stays alone.
      fd = openSync(this.path, 'a');
      writeSync(fd, `\n${JSON.stringify(entry)}\n`);
      fdatasyncSync(fd);
    } catch (error) {
      throw new StorageError(this.path, 'append to the journal', error);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}

/** `<home>/resume`: the journals of resumable runs (never digit files). */
export function resumeDir(): string {
  return join(getConfig().home, 'resume');
}

/** The journal of pi to `decimals` with `guard` guard digits: one per computation, whatever the budget. */
export function openPiJournal(decimals: number, guard: number): PiFileJournal {
  const dir = resumeDir();
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new StorageError(dir, 'create the resume folder', error);
  }
  return PiFileJournal.open(join(dir, `pi-${decimals}-g${guard}.jsonl`));
}

/** What the journal says of one file of a unit. */
export interface FileRecord {
  readonly path: string;
  readonly digits: number;
  readonly residue: number;
}

/** |x| mod p, in one streaming pass over its digits. */
export async function residueOf(x: StreamNumber, p: number): Promise<number> {
  let r = 0;
  for await (const chunk of readForward(x.info, getConfig().chunkSize)) {
    r = (mulMod(r, powMod(10, chunk.length, p), p) + asciiResidue(chunk, 0, chunk.length, p)) % p;
  }
  return r;
}

/** The record of x (digit count and residue). */
export async function recordOf(x: StreamNumber, p: number): Promise<FileRecord> {
  return { path: x.path, digits: x.digitCount, residue: await residueOf(x, p) };
}

/**
 * The number a record names, if its file is still the one recorded (same digit count and residue); undefined when
 * it is gone, swept or torn.
 */
export async function openRecorded(record: FileRecord, p: number): Promise<StreamNumber | undefined> {
  let x: StreamNumber;
  try {
    x = await StreamNumber.fromPath(record.path);
  } catch {
    return undefined;
  }
  if (x.digitCount === record.digits && (await residueOf(x, p)) === record.residue) return x;
  x.free();
  return undefined;
}

/** The run's check prime: drawn once, kept in the journal so residues recorded by an earlier run stay comparable. */
export async function journalPrime(journal: Journal): Promise<number> {
  const known = Number(journal.get('prime'));
  if (Number.isSafeInteger(known) && known > 2) return known;
  const p = randomCheckPrime();
  await journal.set('prime', String(p));
  return p;
}

/**
 * Frees every staged file the run (and any killed run before it) recorded as its own (`own:` records): called once
 * the result is out, when nothing of the run is in use any more. A file at reference 0 is deleted by the tracker as
 * its last reference goes; one that another process holds is left to it; one already gone is skipped.
 */
export async function freeOwnFiles(journal: PiFileJournal): Promise<void> {
  for (const key of journal.keys()) {
    if (!key.startsWith('own:')) continue;
    try {
      (await StreamNumber.fromPath(key.slice(4))).free();
    } catch {
      // already gone
    }
  }
}

/**
 * Claims the journal for this process: a computation is run by one process at a time (two would record the same
 * units twice and free each other's files). The claim is the `owner` record; a dead owner's claim is taken over.
 * @throws {InvalidArgumentError} a living process holds the claim (it names its owner token and the journal)
 */
export async function claimJournal(journal: PiFileJournal, what: string): Promise<void> {
  const owner = journal.get('owner');
  const me = currentOwner();
  if (owner !== undefined && owner !== me && isOwnerAlive(owner)) {
    throw new InvalidArgumentError(
      `${what}: process ${owner.split('.')[0]} is already computing it in this home (${journal.path}); wait for it to finish`,
    );
  }
  if (owner !== me) await journal.set('owner', me);
}
