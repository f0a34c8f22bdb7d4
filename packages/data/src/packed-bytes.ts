/**
 * Pixels cross to an accelerator as bytes, not floats. tfjs has no uint8
 * dtype, so three bytes go into each int32 word (`b0 + 256 b1 + 65536 b2`,
 * below 2^24 and so exact in float32 too) and are taken apart on the device
 * by float multiplications by powers of two and floors, which are exact.
 * A batch of n pixels uploads 4 * ceil(n / 3) bytes instead of the 4 n of a
 * float32 tensor: a quarter of the bus traffic, plus one word in three.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Packs bytes three to an int32 word, little-endian; the last word is zero-padded. */
export function packBytes(bytes: Uint8Array): Int32Array {
  const words = new Int32Array(Math.ceil(bytes.length / 3));
  const full = Math.floor(bytes.length / 3);
  for (let w = 0, i = 0; w < full; w++, i += 3) words[w] = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16);
  const rest = bytes.length - full * 3;
  if (rest > 0) words[full] = bytes[full * 3]! | (rest > 1 ? bytes[full * 3 + 1]! << 8 : 0);
  return words;
}

/**
 * Uploads `bytes` packed ({@link packBytes}) and unpacks them on the active
 * backend: float32 `[bytes.length]` holding 0..255 exactly. Call inside a tidy.
 */
export function uploadPackedBytes(bytes: Uint8Array): tf.Tensor1D {
  const words = tf.tensor1d(packBytes(bytes), 'int32');
  const w = tf.cast(words, 'float32');
  const b2 = tf.floor(tf.mul(w, 1 / 65536));
  const low = tf.sub(w, tf.mul(b2, 65536));
  const b1 = tf.floor(tf.mul(low, 1 / 256));
  const b0 = tf.sub(low, tf.mul(b1, 256));
  const interleaved = tf.reshape(tf.stack([b0, b1, b2], 1), [-1]);
  return tf.slice(interleaved, 0, bytes.length) as tf.Tensor1D;
}
