/**
 * storage — digit files on disk: validation and canonical form, chunked reads forward and
 * backward in bounded memory, atomic writes (temp + flush + rename), literal files.
 * Knows nothing of references or the tracker.
 */
export * from './digits.js';
export * from './read.js';
export * from './chunkpool.js';
export * from './write.js';
export * from './literal.js';
export * from './owner.js';
export * from './regular.js';
export * from './disk.js';
export * from './checkpoint.js';
