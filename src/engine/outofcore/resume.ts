/**
 * outofcore/resume — runs an out-of-core operation either with temporary scratch (the default) or resumably,
 * in a checkpoint folder that survives a kill, a crash or a power loss (docs/ARCHITECTURE.md, "Resumable runs").
 *
 * The folder is `<home>/log/.resume-<key>/` where `<key>` hashes what the operation computes and nothing else:
 * the operation's name, its operands' identities and its parameters — not the memory budget, so a rerun with
 * another budget still finds it (every unit record says what it was computed with, and the computation redoes a
 * unit whose record does not match). An operand's identity is the SHA-256 of its digits when it is small (a
 * literal is the same number whatever file holds it), else its real path, size, modification time and inode: a
 * big operand file that changed is a different operand, and its old checkpoint is left for the collector.
 *
 * The folder holds `lock` (the owner token of the process working in it, storage/checkpoint.ts), `journal` (a
 * FileJournal: the verification records of finished units) and the units' data files. Files whose names start
 * with `.tmp-` are unfinished by definition and deleted when a run takes the folder. On success the folder is
 * removed; on failure (an error, a full disk, cancellation) only the lock is given up, so the same command
 * rerun continues; a killed run leaves its dead owner's token, which the next run replaces.
 *
 * The result. With `onResult` (the CLI's `-o`), the finished result stays in the folder until `onResult` is done: the
 * result file is flushed, checksummed and recorded (`result` → its name, shape and checksum, a synced record), then
 * `onResult` gets it, and only then is it published into the log folder and the folder removed. A kill during
 * `onResult` (the export) loses only the export: the rerun finds the record, checks the file against it, calls
 * `onResult` again and publishes it, computing nothing; a file that does not check is dropped and the run continues
 * from its other checkpoints as if there were none.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { getConfig } from '../../config.js';
import { asDiskFull, CheckpointBusyError } from '../../errors.js';
import {
  CHECKPOINT_PREFIX, describeCheckpoint, releaseCheckpointFolder, takeCheckpointFolder, type DigitFileInfo,
} from '../../storage/index.js';
import { Checksum } from '../../kernel/checksum.js';
import { u8View, wasmAlloc, wasmFree } from '../../kernel/wasmheap.js';
import { StreamNumber } from '../../number.js';
import { AtomicFile } from '../../storage/index.js';
import { ensureResultFits, type OperationOptions } from '../context.js';
import { writeResult, type ResultTarget } from '../result.js';
import { FileJournal, MemoryJournal, type Journal } from './journal.js';
import { ScratchDir } from './scratch.js';

/** Operands up to this many bytes are identified by their digits' hash, larger ones by their file. */
const HASHED_OPERAND_BYTES = 1 << 20;

/** What a resumable operation computes: the parts of its checkpoint key. */
export interface ResumableSpec {
  readonly operation: string;
  readonly operands: readonly DigitFileInfo[];
  /** Parameters that change the result or the meaning of its units (an exponent, a sign); never the budget. */
  readonly parameters: Readonly<Record<string, string | number | boolean>>;
}

/** The disk an operation plans for before it starts (context.ts `ensureResultFits`). */
export interface DiskPlan {
  readonly digits: number;
  readonly scratchBytes: number;
}

/** What the operation's body works with. */
export interface RunContext {
  /** Durable (FileJournal) when resumable, else a MemoryJournal. */
  readonly journal: Journal;
  /** Where the operation's scratch files go: the checkpoint folder when resumable. */
  readonly scratch: ScratchDir;
  /** True when checkpoints survive this process. */
  readonly durable: boolean;
  /** How many journal records found at the start have a key starting with `prefix` (0 when not durable). */
  recorded(prefix: string): number;
  /** Tells the caller (`onResume`) that `done` (of `total`) units come from a checkpoint; nothing when done is 0. */
  resumed(done: number, total: number | undefined, unit: string, detail?: string): void;
  /**
   * Where the operation writes its result (for `writeResult`): undefined when not durable (a fresh temp file), else
   * the file `name` of the folder, kept by a failure, and recorded and handed to `onResult` once finished (module
   * comment, "The result").
   */
  resultTarget(name: string): Promise<ResultTarget | undefined>;
  /**
   * The result an earlier run finished and kept for `onResult`, if its file still checks: handed to `onResult` again
   * and published; undefined otherwise (always when not durable). A body calls it before any work.
   */
  finished(): Promise<StreamNumber | undefined>;
}

/** The journal key of the finished result (module comment, "The result"). */
const RESULT_KEY = 'result';

/** What the journal records of a finished result kept for `onResult`. */
interface ResultRecord {
  readonly file: string;
  readonly negative: boolean;
  readonly digitCount: number;
  readonly isZero: boolean;
  readonly bytes: number;
  /** kernel/checksum.ts's checksum of the whole file. */
  readonly checksum: string;
}

/**
 * Checksum of a whole file, streamed (kernel/checksum.ts).
 * @throws {Error} the file cannot be read
 */
export async function fileChecksum(path: string): Promise<string> {
  const handle = await open(path, 'r');
  const sum = new Checksum();
  const buffer = wasmAlloc(CHECKSUM_READ_BYTES); // read straight into the wasm memory and hashed there: no copy
  try {
    for (let position = 0; ; ) {
      const { bytesRead } = await handle.read(u8View(buffer, CHECKSUM_READ_BYTES), 0, CHECKSUM_READ_BYTES, position);
      if (bytesRead === 0) break;
      sum.update(u8View(buffer, bytesRead));
      position += bytesRead;
    }
    return sum.digest();
  } finally {
    await handle.close();
    wasmFree(buffer);
    sum.free();
  }
}

/** Bytes fileChecksum reads at a time. */
const CHECKSUM_READ_BYTES = 1 << 23;

function operandIdentity(info: DigitFileInfo): string {
  if (info.sizeBytes <= HASHED_OPERAND_BYTES) {
    const bytes = readFileSync(info.path).subarray(info.start, info.end);
    return `${info.negative ? '-' : '+'}${createHash('sha256').update(bytes).digest('hex')}`;
  }
  const stats = statSync(info.path);
  return `${realpathSync(info.path)}:${stats.size}:${stats.mtimeMs}:${stats.ino}:${info.start}:${info.end}:${info.negative}`;
}

/**
 * The checkpoint key of `spec`: 32 hex digits of a SHA-256.
 * @example checkpointKey({ operation: 'pow', operands: [nine.info], parameters: { exponent: 387420489 } })
 */
export function checkpointKey(spec: ResumableSpec): string {
  const text = JSON.stringify([spec.operation, spec.operands.map(operandIdentity), Object.entries(spec.parameters).sort()]);
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** The checkpoint folder `spec` uses in the current home. */
export function checkpointFolder(spec: ResumableSpec): string {
  return join(getConfig().logDir, `${CHECKPOINT_PREFIX}${checkpointKey(spec)}`);
}

/**
 * The finished result an earlier run recorded and whose file still checks (size and checksum), or undefined; a record
 * whose file does not check is dropped with the file (the run then continues from its other checkpoints).
 */
async function keptResult(journal: FileJournal, folder: string): Promise<{ info: DigitFileInfo; shape: { negative: boolean; digitCount: number; isZero: boolean } } | undefined> {
  const text = journal.get(RESULT_KEY);
  if (text === undefined) return undefined;
  let record: ResultRecord | undefined;
  try {
    record = JSON.parse(text) as ResultRecord;
    const path = join(folder, record.file);
    const start = record.negative ? 1 : 0;
    if (
      /^[a-z]+\.partial$/.test(record.file) && Number.isSafeInteger(record.digitCount) && record.bytes === start + record.digitCount &&
      statSync(path).size === record.bytes && (await fileChecksum(path)) === record.checksum
    ) {
      const info: DigitFileInfo = {
        path, negative: record.negative, start, end: record.bytes, digitCount: record.digitCount, isZero: record.isZero, sizeBytes: record.bytes,
      };
      return { info, shape: { negative: record.negative, digitCount: record.digitCount, isZero: record.isZero } };
    }
  } catch {
    // unreadable record or missing file: not trusted
  }
  if (record && typeof record.file === 'string' && /^[a-z]+\.partial$/.test(record.file)) rmSync(join(folder, record.file), { force: true });
  await journal.forget(RESULT_KEY);
  return undefined;
}

/** Deletes what is in `folder` except its lock (a fresh start that keeps holding the folder). */
function emptyFolder(folder: string): void {
  for (const name of readdirSync(folder)) if (name !== 'lock') rmSync(join(folder, name), { recursive: true, force: true });
}

/**
 * Runs `body` with scratch space and a journal: temporary ones unless `options.resume`, else the checkpoint folder
 * of `spec` (see the module comment). Refuses up front, before any work, a run the disk cannot hold: `plan`'s
 * result and scratch, less what an existing checkpoint already occupies.
 * @throws {CheckpointBusyError} with `resume`, another living process works in the same checkpoint folder
 * @throws {ResultTooLargeError} the disk cannot hold the result and scratch (names bytes needed and free)
 * @throws {DiskFullError} the disk filled up midway (a resumable run keeps its checkpoint)
 */
export async function resumableRun<T>(
  spec: ResumableSpec,
  plan: DiskPlan,
  options: OperationOptions,
  body: (context: RunContext) => Promise<T>,
): Promise<T> {
  if (!options.resume) {
    ensureResultFits(spec.operation, plan.digits, plan.scratchBytes);
    const scratch = ScratchDir.create();
    try {
      return await body({
        journal: new MemoryJournal(), scratch, durable: false, recorded: () => 0, resumed: () => {}, resultTarget: async () => undefined,
        finished: async () => undefined,
      });
    } catch (error) {
      throw asDiskFull(error);
    } finally {
      scratch.remove();
    }
  }
  const folder = checkpointFolder(spec);
  // Planned before the folder is made: a refused run leaves nothing behind.
  const saved = options.fresh ? 0 : describeCheckpoint(folder).sizeBytes;
  ensureResultFits(spec.operation, plan.digits, Math.max(0, plan.scratchBytes - saved));
  const held = takeCheckpointFolder(folder);
  if (held !== undefined) throw new CheckpointBusyError(spec.operation, folder, held.heldBy);
  let journal: FileJournal | undefined;
  let succeeded = false;
  try {
    if (options.fresh) emptyFolder(folder);
    for (const name of readdirSync(folder)) if (name.startsWith('.tmp-')) rmSync(join(folder, name), { recursive: true, force: true });
    const opened = await FileJournal.open(join(folder, 'journal'));
    journal = opened;
    const onResult = options.onResult;
    /** Records the finished result (its file flushed) and hands it to `onResult` before it is published. */
    const keepForResult = async (name: string, info: DigitFileInfo): Promise<void> => {
      if (!onResult) return;
      const record: ResultRecord = {
        file: name, negative: info.negative, digitCount: info.digitCount, isZero: info.isZero, bytes: info.sizeBytes,
        checksum: await fileChecksum(info.path),
      };
      await opened.set(RESULT_KEY, JSON.stringify(record));
      const handle = StreamNumber.adoptUnpublished(info);
      try {
        await onResult(handle);
      } finally {
        handle.free();
      }
    };
    const result = await body({
      journal,
      scratch: ScratchDir.at(folder),
      durable: true,
      recorded: (prefix) => opened.count(prefix),
      resumed(done, total, unit, detail) {
        if (done > 0 || detail !== undefined) options.onResume?.({ operation: spec.operation, done, total, unit, detail, folder });
      },
      resultTarget: async (name) => ({
        file: await AtomicFile.reopen(join(folder, name)),
        beforePublish: (info) => keepForResult(name, info),
      }),
      async finished() {
        const kept = onResult ? await keptResult(opened, folder) : undefined;
        if (!kept) return undefined;
        // Finished by an earlier run, killed while `onResult` ran: hand it over again and publish it.
        options.onResume?.({ operation: spec.operation, done: 1, total: 1, unit: 'result', detail: 'only its output is written again', folder });
        return writeResult(async () => kept.shape, {
          file: await AtomicFile.reopen(kept.info.path),
          beforePublish: async (info) => {
            const handle = StreamNumber.adoptUnpublished(info);
            try {
              await onResult!(handle);
            } finally {
              handle.free();
            }
          },
        });
      },
    });
    succeeded = true;
    return result;
  } catch (error) {
    throw asDiskFull(error);
  } finally {
    await journal?.close();
    if (succeeded) rmSync(folder, { recursive: true, force: true });
    else releaseCheckpointFolder(folder);
  }
}
