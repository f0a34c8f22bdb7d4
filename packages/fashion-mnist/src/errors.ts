/** Error builders of the reader (the same messages as `@contrastive/data`'s readers). */
import { argumentError, ContrastiveError } from '@contrastive/core';

/**
 * `CORRUPT_DATA` naming the file and, when known, the record:
 * `fn: file '<path>' record <i> is corrupt: <detail>`.
 */
export function corruptDataError(fn: string, file: string, detail: string, record?: number): ContrastiveError {
  const where = record === undefined ? `file '${file}'` : `file '${file}' record ${record}`;
  return new ContrastiveError('CORRUPT_DATA', `${fn}: ${where} is corrupt: ${detail}`, { fn, argument: 'file' });
}

/** `NOT_FOUND` for a missing package or file. */
export function notFoundError(fn: string, argument: string, what: string, path: string): ContrastiveError {
  return argumentError('NOT_FOUND', fn, argument, what, `missing '${path}'`);
}
