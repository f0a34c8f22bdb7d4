import { describe, expect, it } from 'vitest';
import * as api from './index';

describe('@contrastive/fashion-mnist public API', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(api).sort()).toEqual([
      'FASHION_MNIST_CLASSES',
      'FASHION_MNIST_SPLIT',
      'loadFashionMnist',
      'loadFashionMnistBytes',
      'parseClothesJson',
    ]);
  });

  it('freezes its constants', () => {
    expect(Object.isFrozen(api.FASHION_MNIST_SPLIT)).toBe(true);
  });
});
