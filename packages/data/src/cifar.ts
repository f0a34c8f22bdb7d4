/**
 * Readers for the CIFAR-10 and CIFAR-100 binary versions
 * (`cifar-10-binary.tar.gz`, `cifar-100-binary.tar.gz` from Krizhevsky's
 * CIFAR page, University of Toronto).
 *
 * CIFAR-10: `data_batch_1.bin` .. `data_batch_5.bin` (train, 10,000 records
 * each) and `test_batch.bin` (10,000); a record is 1 label byte then 3072
 * pixel bytes, channel-planar (1024 R, 1024 G, 1024 B), each plane row-major
 * 32x32. CIFAR-100: `train.bin` (50,000) and `test.bin` (10,000); a record is
 * a coarse label byte, a fine label byte, then the same 3072 pixel bytes.
 * Each file is read whole on first use and kept (see record-file.ts).
 */
import { join } from 'node:path';
import { assertOneOf } from '@contrastive/core';
import { CIFAR100_COARSE_CLASSES, CIFAR100_FINE_CLASSES, CIFAR10_CLASSES } from './class-names';
import { planarToHwc } from './layout';
import { namesOrDefault } from './name-file';
import { createRecordDataset } from './record-dataset';
import { openRecordFile } from './record-file';
import { resolveRoot } from './resolve-root';
import type { Dataset } from './types';

const CIFAR_PIXELS = 3072;
const CIFAR_SHAPE = [32, 32, 3] as const;

/** Options of {@link loadCifar10}. */
export interface Cifar10Options {
  /** `'train'` (data_batch_1..5) or `'test'` (test_batch). Default `'train'`. */
  split?: 'train' | 'test';
  /**
   * Require the official record counts (10,000 per file), which also catches a
   * file truncated at a record boundary. Default true; false for subsets.
   */
  officialSize?: boolean;
}

/** Defaults of {@link loadCifar10}. */
export const CIFAR10_DEFAULTS: Readonly<Required<Cifar10Options>> = Object.freeze({
  split: 'train',
  officialSize: true,
});

/**
 * Opens CIFAR-10 binary files in `root` (or `root/cifar-10-batches-bin`).
 * Images are 32x32x3 uint8 HWC; labels 0..9. Checks file sizes up front and
 * each label when read.
 */
export async function loadCifar10(root: string, options: Cifar10Options = {}): Promise<Dataset> {
  const fn = 'loadCifar10';
  const o = { ...CIFAR10_DEFAULTS, ...options };
  assertOneOf(fn, 'split', o.split, ['train', 'test']);
  const dir = await resolveRoot(fn, root, 'cifar-10-batches-bin');
  const names =
    o.split === 'train' ? [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`) : ['test_batch.bin'];
  const parts = [];
  for (const name of names) {
    const file = await openRecordFile(fn, join(dir, name), {
      recordBytes: 1 + CIFAR_PIXELS,
      ...(o.officialSize ? { expectedCount: 10000 } : {}),
    });
    parts.push({ file, labels: { kind: 'inline', offset: 0 } as const });
  }
  return createRecordDataset({
    fn,
    name: `cifar10/${o.split}`,
    parts,
    imageShape: CIFAR_SHAPE,
    classNames: await namesOrDefault(join(dir, 'batches.meta.txt'), CIFAR10_CLASSES),
    pixelOffset: 1,
    convert: planarToHwc,
  });
}

/** Options of {@link loadCifar100}. */
export interface Cifar100Options {
  /** `'train'` (train.bin) or `'test'` (test.bin). Default `'train'`. */
  split?: 'train' | 'test';
  /** `'fine'` (100 classes) or `'coarse'` (20 superclasses). Default `'fine'`. */
  labels?: 'fine' | 'coarse';
  /** Require the official record counts (50,000 train, 10,000 test). Default true. */
  officialSize?: boolean;
}

/** Defaults of {@link loadCifar100}. */
export const CIFAR100_DEFAULTS: Readonly<Required<Cifar100Options>> = Object.freeze({
  split: 'train',
  labels: 'fine',
  officialSize: true,
});

/**
 * Opens CIFAR-100 binary files in `root` (or `root/cifar-100-binary`).
 * Images are 32x32x3 uint8 HWC; labels 0..99 (fine) or 0..19 (coarse).
 */
export async function loadCifar100(root: string, options: Cifar100Options = {}): Promise<Dataset> {
  const fn = 'loadCifar100';
  const o = { ...CIFAR100_DEFAULTS, ...options };
  assertOneOf(fn, 'split', o.split, ['train', 'test']);
  assertOneOf(fn, 'labels', o.labels, ['fine', 'coarse']);
  const dir = await resolveRoot(fn, root, 'cifar-100-binary');
  const file = await openRecordFile(fn, join(dir, `${o.split}.bin`), {
    recordBytes: 2 + CIFAR_PIXELS,
    ...(o.officialSize ? { expectedCount: o.split === 'train' ? 50000 : 10000 } : {}),
  });
  const fine = o.labels === 'fine';
  return createRecordDataset({
    fn,
    name: `cifar100/${o.split}`,
    parts: [{ file, labels: { kind: 'inline', offset: fine ? 1 : 0 } }],
    imageShape: CIFAR_SHAPE,
    classNames: fine
      ? await namesOrDefault(join(dir, 'fine_label_names.txt'), CIFAR100_FINE_CLASSES)
      : await namesOrDefault(join(dir, 'coarse_label_names.txt'), CIFAR100_COARSE_CLASSES),
    pixelOffset: 2,
    convert: planarToHwc,
  });
}
