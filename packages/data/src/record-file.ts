/**
 * Reads of fixed-size records from a binary file. A file of at most
 * {@link IN_MEMORY_MAX_BYTES} (CIFAR's batches, STL-10's train and test
 * images) is read whole on first use and kept while the dataset lives, as
 * torchvision keeps CIFAR in memory; a larger one (STL-10's 2.7 GB
 * `unlabeled_X.bin`) is never read whole: each batch opens the file, reads
 * only the requested records (adjacent ones in one call) and closes it again.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { corruptDataError, notFoundError } from './errors';

/** A file of `count` records of `recordBytes` bytes after a header of `headerBytes`. */
export interface RecordFile {
  readonly path: string;
  readonly headerBytes: number;
  readonly recordBytes: number;
  readonly count: number;
}

/** Size in bytes of a regular file; `NOT_FOUND` when it does not exist. */
export async function fileSize(fn: string, argument: string, path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw notFoundError(fn, argument, 'an existing file', path);
    return s.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw notFoundError(fn, argument, 'an existing file', path);
    }
    throw error;
  }
}

/**
 * Checks the size of a record file and returns its description. The size must
 * be `headerBytes + k * recordBytes`; with `expectedCount`, k must equal it.
 */
export async function openRecordFile(
  fn: string,
  path: string,
  layout: { headerBytes?: number; recordBytes: number; expectedCount?: number },
): Promise<RecordFile> {
  const headerBytes = layout.headerBytes ?? 0;
  const size = await fileSize(fn, 'root', path);
  const body = size - headerBytes;
  if (body <= 0 || body % layout.recordBytes !== 0) {
    throw corruptDataError(
      fn,
      path,
      `size ${size} bytes is not ${headerBytes} + a positive multiple of ${layout.recordBytes} (truncated or wrong file)`,
    );
  }
  const count = body / layout.recordBytes;
  if (layout.expectedCount !== undefined && count !== layout.expectedCount) {
    throw corruptDataError(
      fn,
      path,
      `holds ${count} records of ${layout.recordBytes} bytes; the official file has ${layout.expectedCount} (truncated or wrong file)`,
    );
  }
  return { path, headerBytes, recordBytes: layout.recordBytes, count };
}

/**
 * Largest file read whole and kept in memory (256 MiB). One positional read
 * per record costs ~25 us of asynchronous I/O overhead: a shuffled epoch of
 * CIFAR-10's test batch took 293 ms that way, 4x the copying it needs.
 */
export const IN_MEMORY_MAX_BYTES = 256 * 1024 * 1024;

const wholeFiles = new WeakMap<RecordFile, Promise<Uint8Array>>();

/** The whole file (header included), read once; `CORRUPT_DATA` if its size changed since it was opened. */
function wholeFile(fn: string, file: RecordFile): Promise<Uint8Array> {
  let pending = wholeFiles.get(file);
  if (pending === undefined) {
    const expected = file.headerBytes + file.count * file.recordBytes;
    pending = readFile(file.path).then(
      (buffer) => {
        if (buffer.length !== expected) {
          throw corruptDataError(fn, file.path, `size changed to ${buffer.length} bytes since it was opened (${expected} expected)`);
        }
        return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
      },
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') throw notFoundError(fn, 'root', 'an existing file', file.path);
        throw error;
      },
    );
    // A failed read is not cached: the next batch tries again.
    pending.catch(() => wholeFiles.delete(file));
    wholeFiles.set(file, pending);
  }
  return pending;
}

/**
 * Reads records `records` (indices within the file, any order) and returns
 * them concatenated in request order: record `records[i]` is at byte
 * `i * recordBytes` of the result.
 */
export async function readRecords(
  fn: string,
  file: RecordFile,
  records: ArrayLike<number>,
): Promise<Uint8Array> {
  const n = records.length;
  const { recordBytes } = file;
  const out = new Uint8Array(n * recordBytes);
  if (n === 0) return out;
  if (file.headerBytes + file.count * recordBytes <= IN_MEMORY_MAX_BYTES) {
    const all = await wholeFile(fn, file);
    for (let i = 0; i < n; i++) {
      const at = file.headerBytes + records[i]! * recordBytes;
      out.set(all.subarray(at, at + recordBytes), i * recordBytes);
    }
    return out;
  }
  // Sort request positions by record so adjacent records are read in one call.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => records[a]! - records[b]!);
  const handle = await open(file.path, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw notFoundError(fn, 'root', 'an existing file', file.path);
    throw error;
  });
  try {
    let start = 0;
    while (start < n) {
      let end = start + 1;
      while (end < n && records[order[end]!]! - records[order[end - 1]!]! <= 1) end++;
      const first = records[order[start]!]!;
      const last = records[order[end - 1]!]!;
      const span = (last - first + 1) * recordBytes;
      const chunk = new Uint8Array(span);
      const position = file.headerBytes + first * recordBytes;
      const { bytesRead } = await handle.read(chunk, 0, span, position);
      if (bytesRead !== span) {
        throw corruptDataError(fn, file.path, `file ended after ${position + bytesRead} bytes`, first);
      }
      for (let k = start; k < end; k++) {
        const at = order[k]!;
        const offset = (records[at]! - first) * recordBytes;
        out.set(chunk.subarray(offset, offset + recordBytes), at * recordBytes);
      }
      start = end;
    }
  } finally {
    await handle.close();
  }
  return out;
}
