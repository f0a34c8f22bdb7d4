import { describe, expect, it } from 'vitest';
import { isContrastiveError } from '@contrastive/core';
import { createInMemoryDataset } from '@contrastive/data';
import { perClassBank } from './knn-bank';

/** 1x1 grey images whose pixel is the image's index (mod 256), with the given labels. */
function dataset(labels: number[]) {
  return createInMemoryDataset(Uint8Array.from(labels, (_, i) => i % 256), Int32Array.from(labels), [1, 1, 1], { numClasses: 4 });
}

describe('perClassBank', () => {
  // Class 0: 30 images, class 1: 12, class 2: 3, class 3: none; 5 unlabelled.
  const labels = [...Array.from({ length: 30 }, () => 0), ...Array.from({ length: 12 }, () => 1), 2, 2, 2, -1, -1, -1, -1, -1];
  const order = Array.from(labels.keys()).sort((a, b) => ((a * 7919) % 53) - ((b * 7919) % 53)); // interleaved classes
  const full = dataset(order.map((i) => labels[i]!));

  it('keeps at most perClass images of each class, drawn by seed, in dataset order, without the unlabelled', async () => {
    const bank = await perClassBank(full, 10, 3);
    const picked = await bank.labels();
    const count = (c: number) => picked.filter((l) => l === c).length;
    expect([count(0), count(1), count(2), count(-1)]).toEqual([10, 10, 3, 0]);
    expect(bank.length).toBe(23);
    // Dataset order: the pixel (the original index) increases.
    const { images } = await bank.get(Array.from({ length: bank.length }, (_, i) => i));
    expect(Array.from(images)).toEqual(Array.from(images).sort((a, b) => a - b));
    // The same seed draws the same images; another seed other ones.
    const again = await (await perClassBank(full, 10, 3)).get(Array.from({ length: 23 }, (_, i) => i));
    const other = await (await perClassBank(full, 10, 4)).get(Array.from({ length: 23 }, (_, i) => i));
    expect(Array.from(again.images)).toEqual(Array.from(images));
    expect(Array.from(other.images)).not.toEqual(Array.from(images));
  });

  it('returns the dataset itself without a limit or when every class fits, and rejects bad limits', async () => {
    expect(await perClassBank(full, undefined, 0)).toBe(full);
    const labelled = dataset([0, 1, 1, 2]);
    expect(await perClassBank(labelled, 2, 0)).toBe(labelled);
    const error = await perClassBank(full, 0, 0).catch((e: unknown) => e);
    expect(isContrastiveError(error, 'OUT_OF_RANGE')).toBe(true);
    const none = await perClassBank(dataset([-1, -1]), 5, 0).catch((e: unknown) => e);
    expect(isContrastiveError(none, 'INVALID_ARGUMENT')).toBe(true);
  });
});
