/** Error builders shared by the readers. */
import { argumentError, ContrastiveError } from '@contrastive/core';

/**
 * `CORRUPT_DATA` naming the file and, when known, the record:
 * `fn: file '<path>' record <i> is corrupt: <detail>`.
 */
export function corruptDataError(
  fn: string,
  file: string,
  detail: string,
  record?: number,
): ContrastiveError {
  const where = record === undefined ? `file '${file}'` : `file '${file}' record ${record}`;
  return new ContrastiveError('CORRUPT_DATA', `${fn}: ${where} is corrupt: ${detail}`, {
    fn,
    argument: 'file',
  });
}

/** `NOT_FOUND` for a missing file or folder. */
export function notFoundError(fn: string, argument: string, what: string, path: string): ContrastiveError {
  return argumentError('NOT_FOUND', fn, argument, what, `missing '${path}'`);
}

/** Throws `OUT_OF_RANGE` unless every index is an integer in [0, length). */
export function checkIndices(fn: string, indices: ArrayLike<number>, length: number): void {
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= length) {
      throw argumentError(
        'OUT_OF_RANGE',
        fn,
        'indices',
        `integers in [0, ${length})`,
        `${v} at position ${i}`,
      );
    }
  }
}

/** Throws `CORRUPT_DATA` unless `label` is an integer in [0, numClasses). */
export function checkLabel(
  fn: string,
  file: string,
  record: number,
  label: number,
  numClasses: number,
): void {
  if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
    throw corruptDataError(fn, file, `label ${label} is outside [0, ${numClasses})`, record);
  }
}
