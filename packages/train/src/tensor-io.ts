/**
 * Binary serialisation of named tensors: one contiguous little-endian buffer
 * plus JSON entries (key, dtype, shape, byte offset and length) and a SHA-256
 * of the buffer so that a torn or altered file is detected on load.
 */
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import { ContrastiveError } from '@contrastive/core';

/** Dtypes a checkpoint can hold. */
export type StoredDtype = 'float32' | 'int32' | 'bool';

/** One tensor's place in the buffer. */
export interface TensorEntry {
  readonly key: string;
  readonly dtype: StoredDtype;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly byteLength: number;
  /** Original variable name, informative (tfjs names change between processes). */
  readonly name?: string;
}

const BYTES: Record<StoredDtype, number> = { float32: 4, int32: 4, bool: 1 };

/** SHA-256 hex digest. */
export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Reads every tensor back (async, outside tidy) and packs them. Tensors are borrowed. */
export async function encodeTensors(
  items: readonly { key: string; tensor: tf.Tensor; name?: string }[],
): Promise<{ buffer: Uint8Array; entries: TensorEntry[] }> {
  const chunks: Uint8Array[] = [];
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const { key, tensor, name } of items) {
    const dtype = tensor.dtype;
    if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
      throw new ContrastiveError('DTYPE_MISMATCH', `saveCheckpoint: '${key}' must be float32, int32 or bool; got ${dtype}`, {
        fn: 'saveCheckpoint',
        argument: key,
      });
    }
    const values = await tensor.data();
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
    const padded = Math.ceil(bytes.byteLength / 4) * 4;
    entries.push({ key, dtype, shape: [...tensor.shape], offset, byteLength: bytes.byteLength, ...(name === undefined ? {} : { name }) });
    chunks.push(bytes);
    if (padded > bytes.byteLength) chunks.push(new Uint8Array(padded - bytes.byteLength));
    offset += padded;
  }
  const buffer = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    buffer.set(c, at);
    at += c.byteLength;
  }
  return { buffer, entries };
}

function corrupt(where: string, what: string): ContrastiveError {
  return new ContrastiveError('CORRUPT_DATA', `loadCheckpoint: ${where}: ${what}`, { fn: 'loadCheckpoint', argument: where });
}

/** Checks one entry against the buffer and builds its tensor (caller owns it). */
export function decodeTensor(buffer: Uint8Array, entry: TensorEntry, where: string): tf.Tensor {
  const { dtype, shape, offset, byteLength } = entry;
  if (!(dtype in BYTES)) throw corrupt(where, `unknown dtype ${String(dtype)}`);
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) throw corrupt(where, `bad shape ${JSON.stringify(shape)}`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (byteLength !== size * BYTES[dtype]) throw corrupt(where, `${byteLength} bytes do not fit shape [${shape.join(',')}] of ${dtype}`);
  if (!Number.isInteger(offset) || offset < 0 || offset + byteLength > buffer.byteLength) {
    throw corrupt(where, `bytes ${offset}..${offset + byteLength} lie outside the ${buffer.byteLength}-byte data file`);
  }
  const bytes = buffer.slice(offset, offset + byteLength);
  if (dtype === 'float32') return tf.tensor(new Float32Array(bytes.buffer), [...shape], 'float32');
  if (dtype === 'int32') return tf.tensor(new Int32Array(bytes.buffer), [...shape], 'int32');
  return tf.tensor(bytes, [...shape], 'bool');
}
