import { describe, expect, it } from 'vitest';
import * as api from './index';

describe('@contrastive/data public API', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(api).sort()).toEqual([
      'CIFAR100_COARSE_CLASSES',
      'CIFAR100_DEFAULTS',
      'CIFAR100_FINE_CLASSES',
      'CIFAR10_CLASSES',
      'CIFAR10_DEFAULTS',
      'CLASS_LIST_NAMES',
      'FASHION_MNIST_CLASSES',
      'IMAGENET100',
      'IMAGE_FOLDER_DEFAULTS',
      'IN_MEMORY_MAX_BYTES',
      'LOADER_DEFAULTS',
      'STL10_CLASSES',
      'STL10_DEFAULTS',
      'classListPath',
      'createInMemoryDataset',
      'createLoader',
      'decodeIdx',
      'decodeThreadPoolEnv',
      'decodeThreads',
      'epochOrder',
      'loadCifar10',
      'loadCifar100',
      'loadIdxDataset',
      'loadImageFolder',
      'loadMnist',
      'loadStl10',
      'packBytes',
      'readClassList',
      'readIdx',
      'subsetDataset',
      'uploadPackedBytes',
      'viewCropSeed',
    ]);
  });

  it('freezes its defaults', () => {
    for (const d of [api.CIFAR10_DEFAULTS, api.CIFAR100_DEFAULTS, api.STL10_DEFAULTS, api.LOADER_DEFAULTS, api.IMAGE_FOLDER_DEFAULTS]) {
      expect(Object.isFrozen(d)).toBe(true);
    }
  });
});
