/**
 * results — the calculator results this app holds: ordinary staged files in the log folder,
 * each with one tracker reference taken by this process while the app shows it.
 *
 * Letting go of a result (the page's "release", or the app closing) drops that reference
 * WITHOUT deleting the file: it stays an ordinary tracked file at reference 0, which the
 * collector removes when its score passes the threshold, as it would any other. The app itself
 * never deletes anything (a StreamNumber's `free()` would unlink the file at its last release,
 * which is why results are held by path here, not by handle).
 */
import { StreamNumber } from '../../number.js';
import { getConfig } from '../../config.js';
import { isInsideLogDir } from '../../tracker/paths.js';
import { registerReference, releaseKeeping } from '../../tracker/references.js';

export { releaseKeeping };

/**
 * Opens a digit file the user picked. A staged file of the home (a kept result) gets an extra
 * reference first, released with `releaseKeeping` by the returned `done`, so that the handle's own
 * `free()` never removes it: picking a file as an operand must not delete it.
 */
export async function openPicked(path: string): Promise<{ number: StreamNumber; done: () => void }> {
  const staged = isInsideLogDir(path, getConfig().logDir);
  if (staged) registerReference(path);
  try {
    const number = await StreamNumber.fromPath(path);
    return {
      number,
      done: () => {
        number.free();
        if (staged) releaseKeeping(path);
      },
    };
  } catch (error) {
    if (staged) releaseKeeping(path);
    throw error;
  }
}

export class HeldResults {
  readonly #paths = new Map<string, string>();

  /** Takes this app's reference on `path` (a staged file already tracked) for run `id`. */
  hold(id: string, path: string): void {
    registerReference(path);
    this.#paths.set(id, path);
  }

  has(id: string): boolean {
    return this.#paths.has(id);
  }

  /**
   * Runs `body` with a handle on the result (an extra reference for its duration), or returns
   * undefined when `id` is not held.
   */
  async use<T>(id: string, body: (number: StreamNumber) => Promise<T>): Promise<T | undefined> {
    const path = this.#paths.get(id);
    if (path === undefined) return undefined;
    const number = await StreamNumber.fromPath(path);
    try {
      return await body(number);
    } finally {
      number.free(); // this app's own reference from hold() remains, so nothing is deleted
    }
  }

  /** Drops this app's reference on `id`'s file, keeping the file (tracked, collectable). */
  release(id: string): boolean {
    const path = this.#paths.get(id);
    if (path === undefined) return false;
    this.#paths.delete(id);
    releaseKeeping(path);
    return true;
  }

  releaseAll(): void {
    for (const id of [...this.#paths.keys()]) this.release(id);
  }
}
