/**
 * uint8 pixels widened on the host for the loader's `'typed'` upload (the cpu
 * and wasm backends, whose "device" is host memory), in one pass and without
 * allocating per batch where the backend allows it.
 *
 * float32 is torchvision `ToTensor`'s `x / 255`, read from a 256-entry table:
 * float32 division is correctly rounded, and `x / 255` for x in 0..255 is
 * never a float32 rounding midpoint nor within a double's rounding of one (its
 * binary expansion repeats every 8 bits), so `Math.fround(x / 255)` is exactly
 * the float32 quotient a division kernel gives.
 *
 * Why not `tf.div(tensor(new Float32Array(pixels)), 255)`: a fresh 4-byte-a-pixel
 * array per batch (77 MB for 64 images x 2 views x 224^2 x 3) costs its page
 * faults and garbage collection on the JavaScript thread, and the division
 * kernel another pass; together about 5 ms of CPU per image on the 2-core
 * development machine, the largest cost of the ImageFolder views epoch
 * (tools/bench `data-loader/image-folder-views`, profiled with --cpu-prof).
 */
/** `UNIT_OF_BYTE[x]` = float32 `x / 255` (torchvision `ToTensor`). */
export const UNIT_OF_BYTE: Float32Array = Float32Array.from({ length: 256 }, (_, x) => x / 255);

/** Whether a 32-bit read of four bytes puts the first byte in the low bits. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** A host array of the tensor dtype. */
export type HostPixels = Float32Array | Int32Array;

/**
 * Reusable widening target. Tensors are made from `take`'s array; on the wasm
 * backend `tf.tensor` copies the values into the wasm heap before it returns
 * (`BackendWasm.write`), so one array serves every batch; the cpu and other
 * backends keep the array as the tensor's storage, so they get a fresh one.
 */
export interface PixelStaging {
  /** An array of `length` elements of `dtype`: the reused one when `reuse`, else a new one. */
  take(dtype: 'float32' | 'int32', length: number, reuse: boolean): HostPixels;
}

/** A staging area holding at most one array (grown to the largest batch). */
export function createPixelStaging(): PixelStaging {
  let kept: HostPixels | undefined;
  return {
    take(dtype, length, reuse) {
      const Ctor = dtype === 'float32' ? Float32Array : Int32Array;
      if (!reuse) return new Ctor(length);
      if (!(kept instanceof Ctor) || kept.length < length) kept = new Ctor(length);
      return kept.subarray(0, length);
    },
  };
}

/**
 * `pixels` widened into `out` (same length): float32 `x / 255` or int32 `x`.
 * Returns `out`.
 */
export function widenPixels(pixels: Uint8Array, out: HostPixels): HostPixels {
  if (out instanceof Int32Array) {
    out.set(pixels);
    return out;
  }
  const table = UNIT_OF_BYTE;
  const length = pixels.length;
  let i = 0;
  if (LITTLE_ENDIAN && pixels.byteOffset % 4 === 0) {
    // Four pixels per 32-bit read: about 2-3x faster than a byte at a time in V8 (same values).
    const words = new Uint32Array(pixels.buffer, pixels.byteOffset, length >>> 2);
    for (let j = 0; j < words.length; j++, i += 4) {
      const word = words[j]!;
      out[i] = table[word & 255]!;
      out[i + 1] = table[(word >>> 8) & 255]!;
      out[i + 2] = table[(word >>> 16) & 255]!;
      out[i + 3] = table[word >>> 24]!;
    }
  }
  for (; i < length; i++) out[i] = table[pixels[i]!]!;
  return out;
}
