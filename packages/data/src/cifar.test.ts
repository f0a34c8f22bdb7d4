import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cifarRecords, expectError, pixelValue, tempDir, writeFile } from './__fixtures__/formats';
import { CIFAR100_COARSE_CLASSES, CIFAR100_FINE_CLASSES, CIFAR10_CLASSES, loadCifar10, loadCifar100 } from './index';

const PER_FILE = 4;
let tmp: ReturnType<typeof tempDir>;
let root10: string;
let root100: string;

beforeAll(() => {
  tmp = tempDir('cifar');
  root10 = join(tmp.dir, 'c10');
  for (let b = 1; b <= 5; b++) {
    writeFile(join(root10, 'cifar-10-batches-bin', `data_batch_${b}.bin`), cifarRecords((b - 1) * PER_FILE, PER_FILE, (n) => [n % 10]));
  }
  writeFile(join(root10, 'cifar-10-batches-bin', 'test_batch.bin'), cifarRecords(100, 3, (n) => [n % 10]));
  root100 = join(tmp.dir, 'c100');
  writeFile(join(root100, 'train.bin'), cifarRecords(0, 6, (n) => [n % 20, (n * 7) % 100]));
  writeFile(join(root100, 'test.bin'), cifarRecords(50, 2, (n) => [n % 20, (n * 7) % 100]));
});
afterAll(() => tmp.cleanup());

function expectPixels(images: Uint8Array, slot: number, n: number): void {
  for (const [y, x] of [[0, 0], [0, 31], [31, 0], [5, 17], [31, 31]] as const) {
    for (let c = 0; c < 3; c++) {
      expect(images[((slot * 32 + y) * 32 + x) * 3 + c]).toBe(pixelValue(n, y, x, c));
    }
  }
}

describe('loadCifar10', () => {
  it('reads the five train batches with HWC pixels from the channel-planar records', async () => {
    const ds = await loadCifar10(root10, { officialSize: false });
    expect(ds.length).toBe(5 * PER_FILE);
    expect(ds.imageShape).toEqual([32, 32, 3]);
    expect(ds.classNames).toEqual(CIFAR10_CLASSES);
    const batch = await ds.get([19, 0, 5, 5]);
    expect(batch.shape).toEqual([4, 32, 32, 3]);
    expect(batch.images).toBeInstanceOf(Uint8Array);
    expect(batch.images.length).toBe(4 * 3072);
    expect(Array.from(batch.labels)).toEqual([9, 0, 5, 5]);
    expect(Array.from(batch.indices)).toEqual([19, 0, 5, 5]);
    [19, 0, 5, 5].forEach((n, slot) => expectPixels(batch.images, slot, n));
    expect(Array.from(await ds.labels())).toEqual(Array.from({ length: 20 }, (_, n) => n % 10));
  });

  it('reads the test batch and the class names file', async () => {
    writeFileSync(join(root10, 'cifar-10-batches-bin', 'batches.meta.txt'), CIFAR10_CLASSES.map((c) => c.toUpperCase()).join('\n') + '\n\n');
    const ds = await loadCifar10(join(root10, 'cifar-10-batches-bin'), { split: 'test', officialSize: false });
    expect(ds.length).toBe(3);
    expect(ds.classNames[0]).toBe('AIRPLANE');
    const batch = await ds.get([2]);
    expectPixels(batch.images, 0, 102);
    expect(batch.labels[0]).toBe(2);
  });

  it('requires the official 10,000 records per file by default', async () => {
    const error = await expectError(loadCifar10(root10), 'CORRUPT_DATA');
    expect(error.message).toContain('data_batch_1.bin');
    expect(error.message).toContain('10000');
  });

  it('reads a small file whole once; a file that shrank after opening is CORRUPT_DATA naming it', async () => {
    const { dir, cleanup } = tempDir('cifar-changed');
    try {
      writeFile(join(dir, 'test_batch.bin'), cifarRecords(0, 4, (n) => [n]));
      const ds = await loadCifar10(dir, { split: 'test', officialSize: false });
      const batch = await ds.get([3, 0, 3, 1]);
      expect(Array.from(batch.labels)).toEqual([3, 0, 3, 1]);
      const shrunk = await loadCifar10(dir, { split: 'test', officialSize: false });
      writeFile(join(dir, 'test_batch.bin'), cifarRecords(0, 3, (n) => [n]));
      const error = await expectError(shrunk.get([0]), 'CORRUPT_DATA');
      expect(error.message).toContain('test_batch.bin');
      expect(error.message).toContain('size changed');
      // The first dataset read its file before the change and keeps serving it.
      expect(Array.from((await ds.get([2])).labels)).toEqual([2]);
    } finally {
      cleanup();
    }
  });

  it('rejects a truncated file, a label out of range, a missing file or folder', async () => {
    const { dir, cleanup } = tempDir('cifar-bad');
    try {
      const good = cifarRecords(0, 2, (n) => [n]);
      writeFile(join(dir, 'test_batch.bin'), good.subarray(0, good.length - 5));
      let error = await expectError(loadCifar10(dir, { split: 'test', officialSize: false }), 'CORRUPT_DATA');
      expect(error.message).toContain('test_batch.bin');

      const bad = cifarRecords(0, 3, (n) => [n === 1 ? 10 : n]);
      writeFile(join(dir, 'test_batch.bin'), bad);
      const ds = await loadCifar10(dir, { split: 'test', officialSize: false });
      expect((await ds.get([0, 2])).labels[1]).toBe(2);
      error = await expectError(ds.get([0, 1]), 'CORRUPT_DATA');
      expect(error.message).toContain('test_batch.bin');
      expect(error.message).toContain('record 1');
      expect(error.message).toContain('label 10');
      await expectError(ds.labels(), 'CORRUPT_DATA');

      error = await expectError(loadCifar10(dir, { split: 'train', officialSize: false }), 'NOT_FOUND');
      expect(error.message).toContain('data_batch_1.bin');
      await expectError(loadCifar10(join(dir, 'nope')), 'NOT_FOUND');
      await expectError(ds.get([3]), 'OUT_OF_RANGE');
      await expectError(loadCifar10(dir, { split: 'val' as 'test' }), 'UNKNOWN_NAME');
    } finally {
      cleanup();
    }
  });
});

describe('loadCifar100', () => {
  it('uses fine labels by default and coarse labels on request', async () => {
    const fine = await loadCifar100(root100, { officialSize: false });
    expect(fine.numClasses).toBe(100);
    expect(fine.classNames).toEqual(CIFAR100_FINE_CLASSES);
    const batch = await fine.get([5, 3]);
    expect(Array.from(batch.labels)).toEqual([35, 21]);
    expectPixels(batch.images, 0, 5);
    expectPixels(batch.images, 1, 3);
    const coarse = await loadCifar100(root100, { officialSize: false, labels: 'coarse', split: 'test' });
    expect(coarse.numClasses).toBe(20);
    expect(coarse.classNames).toEqual(CIFAR100_COARSE_CLASSES);
    expect(Array.from(await coarse.labels())).toEqual([10, 11]);
    expectPixels((await coarse.get([1])).images, 0, 51);
  });

  it('rejects a fine label >= 100 naming the record', async () => {
    const { dir, cleanup } = tempDir('cifar100-bad');
    try {
      writeFile(join(dir, 'train.bin'), cifarRecords(0, 2, (n) => [0, n === 1 ? 100 : 3]));
      const ds = await loadCifar100(dir, { officialSize: false });
      const error = await expectError(ds.get([1]), 'CORRUPT_DATA');
      expect(error.message).toMatch(/train\.bin' record 1/);
    } finally {
      cleanup();
    }
  });

  it('has 100 fine and 20 coarse built-in names', () => {
    expect(new Set(CIFAR100_FINE_CLASSES).size).toBe(100);
    expect(new Set(CIFAR100_COARSE_CLASSES).size).toBe(20);
  });
});
