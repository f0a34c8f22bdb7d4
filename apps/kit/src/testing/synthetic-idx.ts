/**
 * A seeded synthetic image problem written as IDX files (MNIST's format, so a
 * run opens it with `data.dataset: 'idx'` through the kit's ordinary data path;
 * imported by path from the apps' learning tests, not part of the kit's API).
 *
 * Every image is 28 x 28 grey. Its class is a faint stripe texture (horizontal,
 * vertical, diagonal or anti-diagonal: 4 classes, a `flip`-free preset keeps
 * them apart) at amplitude 18 around a grey 128; inside a disc of random place
 * and radius 7-11 a strong (amplitude 100) stripe texture of a random
 * orientation replaces it. The disc dominates the pixels and a random-init
 * ConvNet's pooled features (kNN near 50% where chance is 25%); an encoder
 * trained to match two random crops (the disc in one, often not in the other;
 * the faint texture in both) learns the class texture.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '@contrastive/core';

/** Side of the synthetic images (the 28 x 28 `fashion-mnist-cpu` augmentation preset fits it). */
export const SYNTHETIC_SIDE = 28;
/** Number of classes (stripe orientations). */
export const SYNTHETIC_CLASSES = 4;

/** Options of {@link writeSyntheticIdx}. */
export interface SyntheticIdxOptions {
  /** Training images (also the kNN bank's source). */
  train: number;
  /** Test images (the kNN queries). */
  test: number;
  /** Seed of the pixels and labels. */
  seed: number;
}

/** IDX header: magic (type 0x08 = uint8, `dims.length` dimensions) then each dimension, big-endian. */
function idx(dims: readonly number[], body: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x0800 + dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(body)]);
}

/** Stripes of orientation `k` (0 horizontal, 1 vertical, 2 diagonal, 3 anti-diagonal), period 4 pixels, in [-1, 1]. */
function stripe(k: number, x: number, y: number, phase: number): number {
  const u = k === 0 ? y : k === 1 ? x : k === 2 ? (x + y) / Math.SQRT2 : (x - y) / Math.SQRT2;
  return Math.sin((2 * Math.PI * u) / 4 + phase);
}

/** `n` images (N x 28 x 28 uint8) and labels (balanced: label i mod 4, order shuffled by the seed). */
function makeSplit(n: number, rng: ReturnType<typeof createRng>): { images: Uint8Array; labels: Uint8Array } {
  const s = SYNTHETIC_SIDE;
  const images = new Uint8Array(n * s * s);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % SYNTHETIC_CLASSES;
    labels[i] = label;
    const phase = rng.next() * 2 * Math.PI;
    // The distractor: a strong texture of a random orientation inside a random disc.
    const other = Math.floor(rng.next() * SYNTHETIC_CLASSES);
    const otherPhase = rng.next() * 2 * Math.PI;
    const cx = rng.next() * s;
    const cy = rng.next() * s;
    const radius = 7 + 4 * rng.next();
    for (let y = 0; y < s; y++) {
      for (let x = 0; x < s; x++) {
        const inside = (x - cx) ** 2 + (y - cy) ** 2 < radius * radius;
        const texture = inside ? 100 * stripe(other, x, y, otherPhase) : 18 * stripe(label, x, y, phase);
        images[i * s * s + y * s + x] = Math.max(0, Math.min(255, Math.round(128 + texture)));
      }
    }
  }
  return { images, labels };
}

/**
 * Writes `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
 * `t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte` into `dir` (created).
 */
export function writeSyntheticIdx(dir: string, options: SyntheticIdxOptions): void {
  mkdirSync(dir, { recursive: true });
  const rng = createRng(options.seed);
  const s = SYNTHETIC_SIDE;
  for (const [prefix, n] of [['train', options.train], ['t10k', options.test]] as const) {
    const { images, labels } = makeSplit(n, rng);
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), idx([n, s, s], images));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), idx([n], labels));
  }
}
