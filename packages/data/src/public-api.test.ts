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
      'FASHION_MNIST_CLASSES',
      'FASHION_MNIST_SPLIT',
      'IMAGE_FOLDER_DEFAULTS',
      'IN_MEMORY_MAX_BYTES',
      'LOADER_DEFAULTS',
      'STL10_CLASSES',
      'STL10_DEFAULTS',
      'createInMemoryDataset',
      'createLoader',
      'decodeIdx',
      'epochOrder',
      'loadCifar10',
      'loadCifar100',
      'loadFashionMnist',
      'loadIdxDataset',
      'loadImageFolder',
      'loadMnist',
      'loadStl10',
      'packBytes',
      'readIdx',
      'subsetDataset',
      'uploadPackedBytes',
    ]);
  });

  it('freezes its defaults', () => {
    for (const d of [api.CIFAR10_DEFAULTS, api.CIFAR100_DEFAULTS, api.STL10_DEFAULTS, api.LOADER_DEFAULTS, api.IMAGE_FOLDER_DEFAULTS, api.FASHION_MNIST_SPLIT]) {
      expect(Object.isFrozen(d)).toBe(true);
    }
  });
});
