/**
 * literal — integers given as text or bigint are stored once, in canonical form, as
 * `<logDir>/literal_<sha256>.txt`, where the hash is over the canonical text (`-123` for
 * `-000123`). Equal literals therefore share one file.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { StorageError } from '../errors.js';
import { canonicalText, type CanonicalLiteral } from './digits.js';
import { tempName } from './owner.js';

export function literalPath(logDir: string, literal: CanonicalLiteral): string {
  const hash = createHash('sha256').update(canonicalText(literal)).digest('hex');
  return join(logDir, `literal_${hash}.txt`);
}

/**
 * Writes the literal's file unless it already exists (temp + fsync + rename, synchronous so
 * the caller can hold the tracker lock around "exists? write : reuse" and the registration).
 */
export function ensureLiteralFile(logDir: string, literal: CanonicalLiteral): string {
  const path = literalPath(logDir, literal);
  if (existsSync(path)) return path;
  const temp = join(logDir, tempName());
  try {
    mkdirSync(logDir, { recursive: true });
    const fd = openSync(temp, 'wx');
    try {
      writeSync(fd, canonicalText(literal));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // never created
    }
    throw new StorageError(path, 'write literal file', error);
  }
  return path;
}
