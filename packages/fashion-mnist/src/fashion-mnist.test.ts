import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ContrastiveError } from '@contrastive/core';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_SPLIT, loadFashionMnist, loadFashionMnistBytes, parseClothesJson } from './index';

function counts(labels: Int32Array): number[] {
  const out = new Array<number>(10).fill(0);
  for (const l of labels) out[l]!++;
  return out;
}

describe('loadFashionMnist', () => {
  it('loads all 70,000 images with correct labels and the fixed 60,000 / 10,000 split', async () => {
    const all = await loadFashionMnist({ split: 'all' });
    const train = await loadFashionMnist();
    const test = await loadFashionMnist({ split: 'test' });
    expect([all.length, train.length, test.length]).toEqual([70000, 60000, 10000]);
    expect(all.imageShape).toEqual([28, 28, 1]);
    expect(all.classNames).toEqual(FASHION_MNIST_CLASSES);
    expect(counts(await all.labels())).toEqual(new Array(10).fill(7000));
    expect(counts(await train.labels())).toEqual(new Array(10).fill(FASHION_MNIST_SPLIT.trainPerClass));
    expect(counts(await test.labels())).toEqual(new Array(10).fill(FASHION_MNIST_SPLIT.testPerClass));
    // Interleaved by class: index i has label i % 10.
    expect((await train.labels()).every((l, i) => l === i % 10)).toBe(true);

    const everything = await all.get(Int32Array.from({ length: 70000 }, (_, i) => i));
    expect(everything.shape).toEqual([70000, 28, 28, 1]);
    let sum = 0;
    for (const v of everything.images) sum += v;
    // Expected values computed independently with Python's json module from the
    // package files (empty entries dropped, same interleaved order): the pixel sum
    // (mean grey level 72.99) and the first 16 hex digits of the SHA-256 of all bytes.
    expect(sum).toBe(4005470023);
    expect(createHash('sha256').update(everything.images).digest('hex').slice(0, 16)).toBe('3294aaf4b2280ee0');
    // train and test are disjoint slices of 'all'.
    const first = await train.get([0, 59999]);
    expect(Array.from(first.images.subarray(0, 784))).toEqual(Array.from(everything.images.subarray(0, 784)));
    const lastTest = await test.get([9999]);
    expect(Array.from(lastTest.images)).toEqual(Array.from(everything.images.subarray(69999 * 784)));
  });

  it('parses the package JSON strictly', () => {
    const ok = (rows: string): Uint8Array => parseClothesJson(new TextEncoder().encode(`{"data":[${rows}]}`), 'x.json');
    const row = (v: number): string => `[${new Array(784).fill(v).join(',')}]`;
    const rows = (k: number, v = 1): string => new Array(k).fill(row(v)).join(',');
    const parsed = ok(`${rows(7000, 3)},[]`);
    expect(parsed.length).toBe(7000 * 784);
    expect(parsed[7000 * 784 - 1]).toBe(3);
    expect(() => ok(rows(6999))).toThrow(/6999 images/);
    expect(() => ok(`${rows(10)},[1,2]`)).toThrow(/x\.json' record 10 .*2 pixels/);
    expect(() => ok(`${rows(3)},${row(256)}`)).toThrow(/record 3 .*0\.\.255/);
    expect(() => parseClothesJson(new TextEncoder().encode('{"other":1}'), 'y.json')).toThrow(/y\.json/);
  });

  it('gives the same pixels and labels as raw bytes', async () => {
    const bytes = await loadFashionMnistBytes({ split: 'test' });
    const test = await loadFashionMnist({ split: 'test' });
    expect(bytes.name).toBe('fashion-mnist/test');
    expect(bytes.imageShape).toEqual([28, 28, 1]);
    expect(bytes.classNames).toEqual(FASHION_MNIST_CLASSES);
    expect(bytes.images.length).toBe(10000 * 784);
    const all = await test.get(Int32Array.from({ length: 10000 }, (_, i) => i));
    expect(createHash('sha256').update(bytes.images).digest('hex')).toBe(createHash('sha256').update(all.images).digest('hex'));
    expect(Array.from(bytes.labels)).toEqual(Array.from(all.labels));
    // Each call hands out its own copy.
    bytes.images[0] = 255 - bytes.images[0]!;
    expect((await loadFashionMnistBytes({ split: 'test' })).images[0]).toBe(all.images[0]);
  });

  it('rejects an unknown split', async () => {
    const error = await loadFashionMnist({ split: 'val' as 'test' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContrastiveError);
    expect((error as ContrastiveError).code).toBe('UNKNOWN_NAME');
  });
});
