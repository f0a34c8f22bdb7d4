/**
 * The `idx` dataset: a folder of IDX image and label files in the layout of
 * MNIST, Fashion-MNIST, KMNIST (`train-images-idx3-ubyte`,
 * `t10k-images-idx3-ubyte`, ...) or EMNIST (`emnist-<split>-train-images-idx3-ubyte`,
 * `emnist-<split>-test-images-idx3-ubyte`, ...), each plain or gzipped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContrastiveError } from '@contrastive/core';
import { createInMemoryDataset, readIdx, type Dataset } from '@contrastive/data';

const TRAIN_IMAGES = /^(.*)train-images-idx3-ubyte(\.gz)?$/;

/** The file `base` or `base.gz` in `dir`, or undefined. */
function find(dir: string, base: string): string | undefined {
  if (existsSync(join(dir, base))) return join(dir, base);
  if (existsSync(join(dir, `${base}.gz`))) return join(dir, `${base}.gz`);
  return undefined;
}

/** The file-name prefixes of `dir`'s training image files ('' for MNIST's own names). */
export function idxPrefixes(dir: string): string[] {
  const found = new Set<string>();
  for (const name of readdirSync(dir)) {
    const match = TRAIN_IMAGES.exec(name);
    if (match !== null) found.add(match[1]!);
  }
  return [...found].sort();
}

function fail(code: 'NOT_FOUND' | 'INVALID_ARGUMENT', message: string, argument: string): never {
  throw new ContrastiveError(code, `openIdxData: ${message}`, { fn: 'openIdxData', argument });
}

/**
 * Class names from EMNIST's `<prefix>mapping.txt` ("label ascii [ascii]" per
 * line; the first character), else '0'..'n-1'.
 */
function classNames(dir: string, prefix: string, numClasses: number): string[] {
  const names = Array.from({ length: numClasses }, (_, i) => String(i));
  const mapping = join(dir, `${prefix}mapping.txt`);
  if (existsSync(mapping)) {
    for (const line of readFileSync(mapping, 'utf8').split(/\r?\n/)) {
      const [label, code] = line.trim().split(/\s+/).map(Number);
      if (Number.isInteger(label) && Number.isInteger(code) && label! >= 0 && label! < numClasses) names[label!] = String.fromCharCode(code!);
    }
  }
  return names;
}

/** Swaps H and W of `[n, h, w]` uint8 images (EMNIST stores each image transposed). */
function transpose(data: Uint8Array, n: number, h: number, w: number): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < n; i++) {
    const base = i * h * w;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[base + x * h + y] = data[base + y * w + x]!;
  }
  return out;
}

async function readSplit(dir: string, prefix: string, split: 'train' | 'test'): Promise<{ images: Uint8Array; labels: Int32Array; shape: [number, number, number]; path: string }> {
  const stems = split === 'train' ? ['train'] : ['t10k', 'test'];
  let imagesPath: string | undefined;
  let labelsPath: string | undefined;
  for (const stem of stems) {
    imagesPath ??= find(dir, `${prefix}${stem}-images-idx3-ubyte`);
    labelsPath ??= find(dir, `${prefix}${stem}-labels-idx1-ubyte`);
  }
  if (imagesPath === undefined || labelsPath === undefined) {
    const want = stems.map((s) => `${prefix}${s}-${imagesPath === undefined ? 'images-idx3' : 'labels-idx1'}-ubyte[.gz]`).join(' or ');
    fail('NOT_FOUND', `'data.root' (${dir}) has no ${want}`, 'data.root');
  }
  const [images, labels] = await Promise.all([readIdx(imagesPath), readIdx(labelsPath)]);
  if (images.type !== 'uint8' || (images.dims.length !== 3 && images.dims.length !== 4)) {
    throw new ContrastiveError('CORRUPT_DATA', `openIdxData: '${imagesPath}' must hold uint8 images of rank 3 or 4; got ${images.type} of dims [${images.dims.join(',')}]`, {
      fn: 'openIdxData',
      argument: 'data.root',
    });
  }
  const [n, h, w, c = 1] = images.dims as [number, number, number, number?];
  if (labels.type !== 'uint8' || labels.dims.length !== 1 || labels.dims[0] !== n) {
    throw new ContrastiveError('CORRUPT_DATA', `openIdxData: '${labelsPath}' must hold ${n} uint8 labels; got ${labels.type} of dims [${labels.dims.join(',')}]`, {
      fn: 'openIdxData',
      argument: 'data.root',
    });
  }
  let pixels = images.data as Uint8Array;
  if (prefix.startsWith('emnist') && c === 1) pixels = transpose(pixels, n, h, w);
  return { images: pixels, labels: Int32Array.from(labels.data as Uint8Array), shape: [h, w, c], path: imagesPath };
}

/**
 * Opens the train and test splits of the IDX folder `root`. `prefix`
 * (`data.idxPrefix`) picks one file set when the folder holds several
 * (EMNIST's six splits); without it the folder must hold exactly one.
 * Classes: 0..max label (EMNIST letters' unused 0 included); names from
 * EMNIST's mapping file, else the label numbers. EMNIST images are
 * transposed back to upright, as torchvision's EMNIST does.
 */
export async function openIdxData(root: string, prefix?: string): Promise<{ train: Dataset; test: Dataset }> {
  const prefixes = idxPrefixes(root);
  if (prefix === undefined) {
    if (prefixes.length === 0) {
      fail('NOT_FOUND', `'data.root' must hold IDX files such as train-images-idx3-ubyte[.gz] (MNIST, Fashion-MNIST, KMNIST) or emnist-<split>-train-images-idx3-ubyte[.gz]; found none in ${root}`, 'data.root');
    }
    if (prefixes.length > 1) {
      fail('INVALID_ARGUMENT', `'data.idxPrefix' must name one of the file sets in ${root}: ${prefixes.map((p) => JSON.stringify(p)).join(', ')}; got nothing`, 'data.idxPrefix');
    }
    prefix = prefixes[0]!;
  }
  const train = await readSplit(root, prefix, 'train');
  const test = await readSplit(root, prefix, 'test');
  if (train.shape.join() !== test.shape.join()) {
    throw new ContrastiveError('CORRUPT_DATA', `openIdxData: train images are [${train.shape.join(',')}] but test images are [${test.shape.join(',')}]`, {
      fn: 'openIdxData',
      argument: 'data.root',
    });
  }
  let max = 0;
  for (const l of train.labels) max = Math.max(max, l);
  for (const l of test.labels) max = Math.max(max, l);
  const names = classNames(root, prefix, max + 1);
  const label = prefix === '' ? 'idx' : prefix.replace(/-$/, '');
  return {
    train: createInMemoryDataset(train.images, train.labels, train.shape, { name: `${label}/train`, classNames: names }),
    test: createInMemoryDataset(test.images, test.labels, test.shape, { name: `${label}/test`, classNames: names }),
  };
}
