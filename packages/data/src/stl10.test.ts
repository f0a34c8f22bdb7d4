import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, pixelValue, stlImages, tempDir, writeFile } from './__fixtures__/formats';
import { loadStl10, STL10_CLASSES } from './index';

let tmp: ReturnType<typeof tempDir>;
let root: string;
const TRAIN = 3;
const TEST = 2;
const UNLABELED = 4;

beforeAll(() => {
  tmp = tempDir('stl');
  root = join(tmp.dir, 'stl10_binary');
  writeFile(join(root, 'train_X.bin'), stlImages(0, TRAIN));
  writeFile(join(root, 'train_y.bin'), Uint8Array.from([1, 10, 4]));
  writeFile(join(root, 'test_X.bin'), stlImages(10, TEST));
  writeFile(join(root, 'test_y.bin'), Uint8Array.from([2, 3]));
  writeFile(join(root, 'unlabeled_X.bin'), stlImages(20, UNLABELED));
});
afterAll(() => tmp.cleanup());

function expectPixels(images: Uint8Array, slot: number, n: number): void {
  for (const [y, x] of [[0, 0], [0, 95], [95, 0], [1, 2], [40, 77], [95, 95]] as const) {
    for (let c = 0; c < 3; c++) {
      expect(images[((slot * 96 + y) * 96 + x) * 3 + c]).toBe(pixelValue(n, y, x, c));
    }
  }
}

describe('loadStl10', () => {
  it('transposes the column-major planes and maps labels 1..10 to 0..9', async () => {
    const ds = await loadStl10(tmp.dir, { split: 'train', officialSize: false });
    expect(ds.length).toBe(TRAIN);
    expect(ds.imageShape).toEqual([96, 96, 3]);
    expect(ds.classNames).toEqual(STL10_CLASSES);
    const batch = await ds.get([2, 0]);
    expect(batch.shape).toEqual([2, 96, 96, 3]);
    expect(Array.from(batch.labels)).toEqual([3, 0]);
    expectPixels(batch.images, 0, 2);
    expectPixels(batch.images, 1, 0);
    // pixel (y=1, x=2) differs from (y=2, x=1): a missing transpose would swap them
    expect(pixelValue(0, 1, 2, 0)).not.toBe(pixelValue(0, 2, 1, 0));
    expect(Array.from(await ds.labels())).toEqual([0, 9, 3]);
  });

  it('defaults to train+unlabeled, the SSL split, with -1 labels for unlabeled images', async () => {
    const ds = await loadStl10(root, { officialSize: false });
    expect(ds.name).toBe('stl10/train+unlabeled');
    expect(ds.length).toBe(TRAIN + UNLABELED);
    const batch = await ds.get([6, 1, 3]);
    expect(Array.from(batch.labels)).toEqual([-1, 9, -1]);
    expectPixels(batch.images, 0, 23);
    expectPixels(batch.images, 1, 1);
    expectPixels(batch.images, 2, 20);
    expect(Array.from(await ds.labels())).toEqual([0, 9, 3, -1, -1, -1, -1]);
    const test = await loadStl10(root, { split: 'test', officialSize: false });
    expectPixels((await test.get([1])).images, 0, 11);
    const unl = await loadStl10(root, { split: 'unlabeled', officialSize: false });
    expect(unl.length).toBe(UNLABELED);
  });

  it('checks the official counts by default', async () => {
    const error = await expectError(loadStl10(root), 'CORRUPT_DATA');
    expect(error.message).toContain('train_X.bin');
    expect(error.message).toContain('5000');
  });

  it('rejects a wrong-sized image file, mismatched label count, label 0 or 11, missing files', async () => {
    const { dir, cleanup } = tempDir('stl-bad');
    try {
      writeFile(join(dir, 'train_X.bin'), stlImages(0, 2).subarray(1));
      writeFile(join(dir, 'train_y.bin'), Uint8Array.from([1, 2]));
      let error = await expectError(loadStl10(dir, { split: 'train', officialSize: false }), 'CORRUPT_DATA');
      expect(error.message).toContain('train_X.bin');

      writeFile(join(dir, 'train_X.bin'), stlImages(0, 2));
      writeFile(join(dir, 'train_y.bin'), Uint8Array.from([1, 2, 3]));
      error = await expectError(loadStl10(dir, { split: 'train', officialSize: false }), 'CORRUPT_DATA');
      expect(error.message).toContain('3 labels');

      for (const bad of [0, 11]) {
        writeFile(join(dir, 'train_y.bin'), Uint8Array.from([1, bad]));
        error = await expectError(loadStl10(dir, { split: 'train', officialSize: false }), 'CORRUPT_DATA');
        expect(error.message).toMatch(/train_y\.bin' record 1/);
      }
      error = await expectError(loadStl10(dir, { split: 'test', officialSize: false }), 'NOT_FOUND');
      expect(error.message).toContain('test_y.bin');
    } finally {
      cleanup();
    }
  });

  it('reads the unlabeled file by record range, not whole', async () => {
    // A sparse 2.7 GB unlabeled_X.bin (official size) costs no disk space; reading
    // two records from its end must work without loading the file.
    const { dir, cleanup } = tempDir('stl-big');
    try {
      const { openSync, ftruncateSync, writeSync, closeSync } = await import('node:fs');
      const rec = 96 * 96 * 3;
      const fd = openSync(join(dir, 'unlabeled_X.bin'), 'w');
      ftruncateSync(fd, 100000 * rec);
      writeSync(fd, stlImages(7, 1), 0, rec, 99999 * rec);
      closeSync(fd);
      const before = process.memoryUsage().rss;
      const ds = await loadStl10(dir, { split: 'unlabeled' });
      expect(ds.length).toBe(100000);
      const batch = await ds.get([99999, 5]);
      expectPixels(batch.images, 0, 7);
      expect(batch.images.subarray(rec).every((v) => v === 0)).toBe(true);
      expect(process.memoryUsage().rss - before).toBeLessThan(500e6);
    } finally {
      cleanup();
    }
  });
});
