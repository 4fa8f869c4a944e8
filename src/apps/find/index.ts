/**
 * apps/find — find-my: where a digit string (a birthday) occurs in pi or any digit file.
 * Streaming scan (scan.ts), k-mer index (kmer-index.ts), dates (dates.ts), the home's pi files
 * (pi-files.ts); `findDigits` / `findDate` (find.ts) tie them together.
 */
export { findDigits, findDate, checkQuery, DEFAULT_CONTEXT } from './find.js';
export type { FindOptions, FindResult, FindDateResult, DateFormResult } from './find.js';
export { dateForms, parseDate, isoDate, looksLikeDate } from './dates.js';
export type { CalendarDate, DateForm, DateFormName } from './dates.js';
export { buildIndex, openIndex, ensureIndex, indexStatus, indexPathFor, defaultK, DigitIndex } from './kmer-index.js';
export type { BuildIndexOptions, BuildIndexResult, IndexHeader, IndexQueryOptions, IndexQueryResult, IndexStatus } from './kmer-index.js';
export { scanDigits, DEFAULT_CHUNK_BYTES } from './scan.js';
export type { ScanOptions, ScanResult } from './scan.js';
export { readSearchableDigits, readDigits } from './layout.js';
export type { SearchableDigits } from './layout.js';
export { listPiFiles, largestPiFile, ensurePiFile, piFilePath, piDirectory } from './pi-files.js';
export type { PiFile } from './pi-files.js';
