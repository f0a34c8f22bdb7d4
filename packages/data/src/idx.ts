/**
 * IDX files, the format of MNIST (LeCun, Cortes and Burges) and Fashion-MNIST
 * (Xiao, Rasul and Vollgraf, Zalando Research): a 4-byte magic number
 * `0x00 0x00 <type> <rank>`, `rank` big-endian uint32 dimensions, then the
 * values big-endian, row-major. Plain or gzipped (detected from the content).
 * Files are read whole (the largest, MNIST train images, is 47 MB).
 */
import { readFile } from 'node:fs/promises';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { corruptDataError } from './errors';
import { fileSize } from './record-file';

const gunzipAsync = promisify(gunzip);

/** Element types of IDX files, by type byte. */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

const TYPES: Record<number, { type: IdxType; bytes: number }> = {
  0x08: { type: 'uint8', bytes: 1 },
  0x09: { type: 'int8', bytes: 1 },
  0x0b: { type: 'int16', bytes: 2 },
  0x0c: { type: 'int32', bytes: 4 },
  0x0d: { type: 'float32', bytes: 4 },
  0x0e: { type: 'float64', bytes: 8 },
};

/** Contents of an IDX file. */
export interface IdxArray {
  readonly type: IdxType;
  readonly dims: readonly number[];
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** Reads and decodes a buffer holding an IDX file (not gzipped). */
export function decodeIdx(bytes: Uint8Array, path = '<buffer>'): IdxArray {
  const fn = 'readIdx';
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw corruptDataError(fn, path, `bad magic number ${magic || '(empty)'}; expected 00 00 <type> <rank>`);
  }
  const info = TYPES[bytes[2]!];
  if (info === undefined) {
    throw corruptDataError(fn, path, `unknown element type 0x${bytes[2]!.toString(16)} in the magic number`);
  }
  const rank = bytes[3]!;
  const header = 4 + 4 * rank;
  if (rank === 0 || bytes.length < header) {
    throw corruptDataError(fn, path, `header of rank ${rank} needs ${header} bytes; file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const expected = header + count * info.bytes;
  if (bytes.length !== expected) {
    throw corruptDataError(
      fn,
      path,
      `dims [${dims.join(',')}] of ${info.type} need ${expected} bytes; file has ${bytes.length} (truncated or wrong size)`,
    );
  }
  return { type: info.type, dims, data: decodeValues(view, header, count, info.type) };
}

function decodeValues(view: DataView, offset: number, count: number, type: IdxType): IdxArray['data'] {
  switch (type) {
    case 'uint8':
      return new Uint8Array(view.buffer, view.byteOffset + offset, count).slice();
    case 'int8':
      return new Int8Array(view.buffer, view.byteOffset + offset, count).slice();
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

/**
 * Reads an IDX file, plain or gzipped. `NOT_FOUND` when missing;
 * `CORRUPT_DATA` for a bad magic number, a bad gzip stream or a size that
 * does not match the header's dimensions.
 */
export async function readIdx(path: string): Promise<IdxArray> {
  await fileSize('readIdx', 'path', path);
  let bytes: Uint8Array = await readFile(path);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (error) {
      throw corruptDataError('readIdx', path, `gzip stream is invalid (${(error as Error).message})`);
    }
  }
  return decodeIdx(bytes, path);
}
