/**
 * Opens the three datasets a run needs from its `data` config: the
 * pre-training set (labels unused), and a labelled bank and query set for the
 * kNN monitor and the linear probe. Subsets are seeded and stratified so CPU
 * presets see every class.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ContrastiveError, createRng } from '@contrastive/core';
import {
  loadCifar10,
  loadCifar100,
  loadImageFolder,
  loadStl10,
  subsetDataset,
  type Dataset,
} from '@contrastive/data';
import { loadFashionMnist } from '@contrastive/fashion-mnist';
import type { z } from 'zod';
import type { dataSchema } from './config-schema';
import { openIdxData } from './open-idx';

export type DataConfig = z.output<typeof dataSchema>;

export interface RunData {
  /** Images to pre-train on. */
  train: Dataset;
  /** Labelled images for the kNN bank and the probe's training set. */
  evalTrain: Dataset;
  /** Labelled test images. */
  evalTest: Dataset;
}

/** Where each dataset's official files come from (for error messages). */
const DOWNLOAD_HINTS: Record<string, string> = {
  cifar10: 'the CIFAR-10 binary version (cifar-10-binary.tar.gz: data_batch_1..5.bin, test_batch.bin)',
  cifar100: 'the CIFAR-100 binary version (cifar-100-binary.tar.gz: train.bin, test.bin)',
  stl10: 'the STL-10 binary version (stl10_binary.tar.gz: train_X.bin, train_y.bin, test_X.bin, test_y.bin, unlabeled_X.bin)',
  imagefolder: 'a folder of class folders, e.g. ImageNet train/ and val/ with one folder per class',
  idx: 'IDX files: train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (MNIST, Fashion-MNIST, KMNIST; plain or .gz) or EMNIST\'s emnist-<split>-train-images-idx3-ubyte.gz, ...',
};

function requireRoot(config: DataConfig): string {
  const root = config.root;
  if (root === undefined || !existsSync(root)) {
    throw new ContrastiveError(
      'NOT_FOUND',
      `openRunData: 'data.root' must be a folder with ${DOWNLOAD_HINTS[config.dataset]}; got ${root === undefined ? 'nothing (pass --data <dir>)' : JSON.stringify(root) + ', which does not exist'}`,
      { fn: 'openRunData', argument: 'data.root' },
    );
  }
  return root;
}

/**
 * Seeded stratified subset of `limit` images: classes keep their proportions,
 * unlabelled images (-1) count as one class.
 */
export async function stratifiedSubset(dataset: Dataset, limit: number | undefined, seed: number): Promise<Dataset> {
  if (limit === undefined || limit >= dataset.length) return dataset;
  const labels = await dataset.labels();
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]!) ?? [];
    list.push(i);
    byClass.set(labels[i]!, list);
  }
  const rng = createRng(seed);
  const chosen: number[] = [];
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  classes.forEach((c, k) => {
    const members = rng.shuffle(byClass.get(c)!);
    // Largest-remainder share of `limit` for class k.
    const before = Math.floor((limit * classes.slice(0, k).reduce((s, x) => s + byClass.get(x)!.length, 0)) / labels.length);
    const upTo = Math.floor((limit * classes.slice(0, k + 1).reduce((s, x) => s + byClass.get(x)!.length, 0)) / labels.length);
    chosen.push(...members.slice(0, upTo - before));
  });
  chosen.sort((a, b) => a - b);
  return subsetDataset(dataset, chosen, `${dataset.name}[${chosen.length}]`);
}

/** Options of {@link openRunData}. */
export interface OpenRunDataOptions {
  /**
   * ImageFolder: decode every `get` as torchvision `Resize(resize)` +
   * `CenterCrop(crop)` (a preset's `evalDecode`) instead of an `imageSize`
   * centre square; training views then come from `getViews` (the loader's
   * `views`), cut from the full image.
   */
  evalDecode?: { readonly resize: number; readonly crop: number };
}

/** Opens the pre-training, bank and query datasets of a run. */
export async function openRunData(config: DataConfig, seed: number, open: OpenRunDataOptions = {}): Promise<RunData> {
  let train: Dataset;
  let evalTrain: Dataset;
  let evalTest: Dataset;
  switch (config.dataset) {
    case 'fashion-mnist':
      train = await loadFashionMnist({ split: 'train' });
      evalTrain = train;
      evalTest = await loadFashionMnist({ split: 'test' });
      break;
    case 'cifar10': {
      const root = requireRoot(config);
      train = await loadCifar10(root, { split: 'train', officialSize: config.officialSize });
      evalTrain = train;
      evalTest = await loadCifar10(root, { split: 'test', officialSize: config.officialSize });
      break;
    }
    case 'cifar100': {
      const root = requireRoot(config);
      train = await loadCifar100(root, { split: 'train', officialSize: config.officialSize });
      evalTrain = train;
      evalTest = await loadCifar100(root, { split: 'test', officialSize: config.officialSize });
      break;
    }
    case 'stl10': {
      const root = requireRoot(config);
      train = await loadStl10(root, { split: config.stl10Split });
      evalTrain = await loadStl10(root, { split: 'train' });
      evalTest = await loadStl10(root, { split: 'test' });
      break;
    }
    case 'imagefolder': {
      const root = requireRoot(config);
      const trainDir = existsSync(join(root, 'train')) ? join(root, 'train') : root;
      const valDir = join(root, 'val');
      const geometry = open.evalDecode === undefined ? { size: config.imageSize } : { size: open.evalDecode.crop, resize: open.evalDecode.resize };
      const options = { ...geometry, ...(config.classList === undefined ? {} : { classList: config.classList }) };
      train = await loadImageFolder(trainDir, options);
      evalTrain = train;
      evalTest = existsSync(valDir) ? await loadImageFolder(valDir, options) : train;
      break;
    }
    case 'idx': {
      const sets = await openIdxData(requireRoot(config), config.idxPrefix);
      train = sets.train;
      evalTrain = train;
      evalTest = sets.test;
      break;
    }
  }
  return {
    train: await stratifiedSubset(train, config.trainLimit, seed + 1),
    evalTrain: await stratifiedSubset(evalTrain, config.evalTrainLimit, seed + 2),
    evalTest: await stratifiedSubset(evalTest, config.evalTestLimit, seed + 3),
  };
}
