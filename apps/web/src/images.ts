/**
 * The Fashion-MNIST images the page trains and evaluates on, fetched as raw
 * bytes from the dev server or the built site (see vite/fashion-mnist-asset.ts).
 */
import * as tf from '@tensorflow/tfjs-core';

export const IMAGE_SHAPE = [28, 28, 1] as const;
const PIXELS = 28 * 28;

/** The first `count` images of a split: pixels `[count * 784]` uint8 and labels `[count]`. */
export interface ImageSplit {
  readonly count: number;
  readonly pixels: Uint8Array;
  readonly labels: Int32Array;
}

async function fetchBytes(path: string): Promise<Uint8Array> {
  const response = await fetch(`${import.meta.env.BASE_URL}${path}`);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

export async function fetchSplit(split: 'train' | 'test', count: number): Promise<ImageSplit> {
  const bytes = await fetchBytes(`fashion-mnist/${split}-${count}.u8`);
  if (bytes.length !== count * (PIXELS + 1)) {
    throw new Error(`fashion-mnist/${split}-${count}.u8 holds ${bytes.length} bytes; expected ${count * (PIXELS + 1)}`);
  }
  return { count, pixels: bytes.subarray(0, count * PIXELS), labels: Int32Array.from(bytes.subarray(count * PIXELS)) };
}

export async function fetchClassNames(): Promise<string[]> {
  return JSON.parse(new TextDecoder().decode(await fetchBytes('fashion-mnist/classes.json'))) as string[];
}

/** Images `indices` of a split as `[n, 28, 28, 1]` float32 in [0, 1] (torchvision `ToTensor`, as the loader does). */
export function imageBatch(split: ImageSplit, indices: ArrayLike<number>): tf.Tensor4D {
  const n = indices.length;
  const bytes = new Uint8Array(n * PIXELS);
  for (let i = 0; i < n; i++) bytes.set(split.pixels.subarray(indices[i]! * PIXELS, (indices[i]! + 1) * PIXELS), i * PIXELS);
  return tf.tidy(() => tf.div(tf.tensor4d(Float32Array.from(bytes), [n, ...IMAGE_SHAPE]), 255));
}

/** `[0, 1, ..., n - 1]`. */
export function range(start: number, end: number): Int32Array {
  return Int32Array.from({ length: end - start }, (_, i) => start + i);
}
