/**
 * units — the finished units of an out-of-core pi run (a leaf subtree, a merge on files, the root merge, the square
 * root, the quotient), recorded in the run's journal so that a rerun after a kill, crash or power loss resumes from
 * the last finished unit (docs/ARCHITECTURE.md, "pi beyond the memory budget").
 *
 * The journal and its checkpoint folder are the engine's resumable runs' (engine/outofcore/resume.ts
 * `resumableRun`, a `FileJournal` in `<home>/log/.resume-<key>/`, keyed by pi's decimals and guard digits; with the
 * library's `resume: false` a MemoryJournal: nothing survives the process). A unit's numbers are ordinary staged
 * results in the log folder (engine results), held by the run while it works. Its record names their files with
 * their digit counts and residues modulo a prime drawn once per run (kept in the journal): a record is written only
 * after its files are complete (engine results are flushed and renamed before they are returned), and a rerun uses
 * a unit only if every file still has the recorded digit count and residue, so a torn or swept unit is recomputed.
 *
 * Every staged file the run creates is recorded (`own:` records) as soon as it exists, so the run that finishes
 * frees what a killed run left at reference 0 (a merge's intermediate products). A run that fails or is cancelled
 * lets its units' files go to reference 0 without deleting them: a rerun resumes from them, and if none comes the
 * collector sweeps them like any unreferenced staged file (`gc`).
 */
import { getConfig } from '../../config.js';
import { randomCheckPrime } from '../../kernel/check-prime.js';
import { StreamNumber } from '../../number.js';
import { readForward } from '../../storage/index.js';
import { FileJournal, type Journal } from '../../engine/outofcore/journal.js';
import { asciiResidue, mulMod, powMod } from '../../engine/outofcore/residue.js';

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
export async function freeOwnFiles(journal: Journal): Promise<void> {
  if (!(journal instanceof FileJournal)) return; // a run that is not resumable frees its files itself
  for (const [key] of journal.entries()) {
    if (!key.startsWith('own:')) continue;
    try {
      (await StreamNumber.fromPath(key.slice(4))).free();
    } catch {
      // already gone
    }
  }
}
