/**
 * Reader for the STL-10 binary version (`stl10_binary.tar.gz`, Coates, Ng and
 * Lee, Stanford). Files: `train_X.bin` / `train_y.bin` (5,000), `test_X.bin`
 * / `test_y.bin` (8,000), `unlabeled_X.bin` (100,000 images, 2.7 GB).
 *
 * An image is 96x96x3 = 27,648 bytes: three channel planes (R, G, B), each
 * stored column-major (MATLAB order), so byte `c*9216 + x*96 + y` is pixel
 * (y, x, c); the reader transposes to HWC. Label files hold one byte per image
 * in 1..10, mapped to 0..9. The train and test image files are read whole on
 * first use; the unlabeled one (2.7 GB) is read on demand with positional
 * reads (see record-file.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertOneOf } from '@contrastive/core';
import { STL10_CLASSES } from './class-names';
import { checkLabel, corruptDataError } from './errors';
import { columnMajorPlanarToHwc } from './layout';
import { namesOrDefault } from './name-file';
import { createRecordDataset, type RecordPart } from './record-dataset';
import { fileSize, openRecordFile } from './record-file';
import { resolveRoot } from './resolve-root';
import type { Dataset } from './types';

const STL_SHAPE = [96, 96, 3] as const;
const STL_BYTES = 96 * 96 * 3;
const OFFICIAL_COUNTS = { train: 5000, test: 8000, unlabeled: 100000 } as const;

/** STL-10 splits; `'train+unlabeled'` (105,000) is the one SSL pre-training uses. */
export type Stl10Split = 'train' | 'test' | 'unlabeled' | 'train+unlabeled';

/** Options of {@link loadStl10}. */
export interface Stl10Options {
  /** Which images. Default `'train+unlabeled'` (unlabelled images get label -1). */
  split?: Stl10Split;
  /** Require the official counts (5,000 / 8,000 / 100,000). Default true. */
  officialSize?: boolean;
}

/** Defaults of {@link loadStl10}. */
export const STL10_DEFAULTS: Readonly<Required<Stl10Options>> = Object.freeze({
  split: 'train+unlabeled',
  officialSize: true,
});

async function readLabels(fn: string, path: string): Promise<Int32Array> {
  await fileSize(fn, 'root', path);
  const bytes = await readFile(path);
  const labels = new Int32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    checkLabel(fn, path, i, bytes[i]! - 1, STL10_CLASSES.length);
    labels[i] = bytes[i]! - 1;
  }
  return labels;
}

async function labelledPart(
  fn: string,
  dir: string,
  split: 'train' | 'test',
  officialSize: boolean,
): Promise<RecordPart> {
  const yPath = join(dir, `${split}_y.bin`);
  const labels = await readLabels(fn, yPath);
  const file = await openRecordFile(fn, join(dir, `${split}_X.bin`), {
    recordBytes: STL_BYTES,
    ...(officialSize ? { expectedCount: OFFICIAL_COUNTS[split] } : {}),
  });
  if (file.count !== labels.length) {
    throw corruptDataError(fn, file.path, `holds ${file.count} images but '${yPath}' has ${labels.length} labels`);
  }
  return { file, labels: { kind: 'array', labels } };
}

/**
 * Opens STL-10 binary files in `root` (or `root/stl10_binary`). Images are
 * 96x96x3 uint8 HWC; labels 0..9, or -1 for the unlabeled split.
 */
export async function loadStl10(root: string, options: Stl10Options = {}): Promise<Dataset> {
  const fn = 'loadStl10';
  const o = { ...STL10_DEFAULTS, ...options };
  assertOneOf(fn, 'split', o.split, ['train', 'test', 'unlabeled', 'train+unlabeled']);
  const dir = await resolveRoot(fn, root, 'stl10_binary');
  const parts: RecordPart[] = [];
  if (o.split === 'train' || o.split === 'train+unlabeled') parts.push(await labelledPart(fn, dir, 'train', o.officialSize));
  if (o.split === 'test') parts.push(await labelledPart(fn, dir, 'test', o.officialSize));
  if (o.split === 'unlabeled' || o.split === 'train+unlabeled') {
    const file = await openRecordFile(fn, join(dir, 'unlabeled_X.bin'), {
      recordBytes: STL_BYTES,
      ...(o.officialSize ? { expectedCount: OFFICIAL_COUNTS.unlabeled } : {}),
    });
    parts.push({ file, labels: { kind: 'none' } });
  }
  return createRecordDataset({
    fn,
    name: `stl10/${o.split}`,
    parts,
    imageShape: STL_SHAPE,
    classNames: await namesOrDefault(join(dir, 'class_names.txt'), STL10_CLASSES),
    pixelOffset: 0,
    convert: columnMajorPlanarToHwc,
  });
}
