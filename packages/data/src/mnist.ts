/**
 * Datasets from IDX image + label files: MNIST and Fashion-MNIST in their
 * official form (`train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`,
 * `t10k-images-idx3-ubyte[.gz]`, `t10k-labels-idx1-ubyte[.gz]`).
 */
import { join } from 'node:path';
import { assertOneOf } from '@contrastive/core';
import { checkLabel, corruptDataError } from './errors';
import { readIdx } from './idx';
import { createInMemoryDataset } from './in-memory-dataset';
import { exists } from './name-file';
import { resolveRoot } from './resolve-root';
import type { Dataset } from './types';

/** Options of {@link loadIdxDataset}. */
export interface IdxDatasetOptions {
  /** Dataset name. Default `'idx'`. */
  name?: string;
  /** Class names; their count is the number of classes. Default `'0'..'9'`. */
  classNames?: readonly string[];
}

const DIGITS: readonly string[] = Object.freeze(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

/**
 * A dataset from an IDX images file (uint8, dims [N, H, W] or [N, H, W, C])
 * and an IDX labels file (uint8, dims [N]), held in memory.
 */
export async function loadIdxDataset(
  imagesPath: string,
  labelsPath: string,
  options: IdxDatasetOptions = {},
): Promise<Dataset> {
  const fn = 'loadIdxDataset';
  const classNames = options.classNames ?? DIGITS;
  const [images, labels] = await Promise.all([readIdx(imagesPath), readIdx(labelsPath)]);
  if (images.type !== 'uint8' || (images.dims.length !== 3 && images.dims.length !== 4)) {
    throw corruptDataError(fn, imagesPath, `expected uint8 images of rank 3 or 4; got ${images.type} of dims [${images.dims.join(',')}]`);
  }
  if (labels.type !== 'uint8' || labels.dims.length !== 1) {
    throw corruptDataError(fn, labelsPath, `expected uint8 labels of rank 1; got ${labels.type} of dims [${labels.dims.join(',')}]`);
  }
  const [n, h, w, c = 1] = images.dims as [number, number, number, number?];
  if (labels.dims[0] !== n) {
    throw corruptDataError(fn, labelsPath, `has ${labels.dims[0]} labels but '${imagesPath}' has ${n} images`);
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    checkLabel(fn, labelsPath, i, labels.data[i]!, classNames.length);
    out[i] = labels.data[i]!;
  }
  return createInMemoryDataset(images.data as Uint8Array, out, [h, w, c], {
    name: options.name ?? 'idx',
    classNames,
  });
}

/** Options of {@link loadMnist}. */
export interface MnistOptions {
  /** `'train'` (60,000) or `'test'` (`t10k`, 10,000). Default `'train'`. */
  split?: 'train' | 'test';
  /** Class names; default digits. Pass `FASHION_MNIST_CLASSES` for Fashion-MNIST. */
  classNames?: readonly string[];
}

async function pick(dir: string, base: string): Promise<string> {
  const gz = join(dir, `${base}.gz`);
  return (await exists(join(dir, base))) ? join(dir, base) : gz;
}

/**
 * Opens the official MNIST / Fashion-MNIST IDX files in `root` (plain or
 * `.gz`). Images are 28x28x1 uint8.
 */
export async function loadMnist(root: string, options: MnistOptions = {}): Promise<Dataset> {
  const fn = 'loadMnist';
  const split = options.split ?? 'train';
  assertOneOf(fn, 'split', split, ['train', 'test']);
  const dir = await resolveRoot(fn, root);
  const prefix = split === 'train' ? 'train' : 't10k';
  return loadIdxDataset(
    await pick(dir, `${prefix}-images-idx3-ubyte`),
    await pick(dir, `${prefix}-labels-idx1-ubyte`),
    { name: `mnist/${split}`, ...(options.classNames ? { classNames: options.classNames } : {}) },
  );
}
