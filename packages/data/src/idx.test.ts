import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, idxBytes, pixelValue, tempDir, writeMnist } from './__fixtures__/formats';
import { decodeIdx, FASHION_MNIST_CLASSES, loadIdxDataset, loadMnist, readIdx } from './index';

let tmp: ReturnType<typeof tempDir>;

beforeAll(() => {
  tmp = tempDir('idx');
});
afterAll(() => tmp.cleanup());

describe('readIdx', () => {
  it('decodes big-endian dims and values of every element type', () => {
    const u8 = decodeIdx(idxBytes([2, 3], Uint8Array.from([0, 1, 2, 253, 254, 255])));
    expect(u8.type).toBe('uint8');
    expect(u8.dims).toEqual([2, 3]);
    expect(Array.from(u8.data)).toEqual([0, 1, 2, 253, 254, 255]);
    const i16 = decodeIdx(idxBytes([2], Uint8Array.from([0xff, 0xfe, 0x01, 0x02]), 0x0b));
    expect(i16.type).toBe('int16');
    expect(Array.from(i16.data)).toEqual([-2, 258]);
    const f32 = new Uint8Array(4);
    new DataView(f32.buffer).setFloat32(0, 1.5, false);
    expect(Array.from(decodeIdx(idxBytes([1], f32, 0x0d)).data)).toEqual([1.5]);
    const i32 = new Uint8Array(4);
    new DataView(i32.buffer).setInt32(0, -70000, false);
    expect(Array.from(decodeIdx(idxBytes([1], i32, 0x0c)).data)).toEqual([-70000]);
  });

  it('rejects a bad magic number, an unknown type, a wrong size', async () => {
    const good = idxBytes([2, 2], Uint8Array.from([1, 2, 3, 4]));
    const badMagic = good.slice();
    badMagic[0] = 8;
    const path = join(tmp.dir, 'bad-magic');
    writeFileSync(path, badMagic);
    let error = await expectError(readIdx(path), 'CORRUPT_DATA');
    expect(error.message).toContain('bad-magic');
    expect(error.message).toContain('magic');
    const badType = good.slice();
    badType[2] = 0x07;
    expect(() => decodeIdx(badType, 'x')).toThrow(/element type/);
    writeFileSync(path, good.subarray(0, good.length - 1));
    error = await expectError(readIdx(path), 'CORRUPT_DATA');
    expect(error.message).toContain('truncated');
    writeFileSync(path, Uint8Array.from([...good, 9]));
    await expectError(readIdx(path), 'CORRUPT_DATA');
    writeFileSync(path, gzipSync(good).subarray(0, 12));
    error = await expectError(readIdx(path), 'CORRUPT_DATA');
    expect(error.message).toContain('gzip');
    await expectError(readIdx(join(tmp.dir, 'missing')), 'NOT_FOUND');
  });
});

describe('loadMnist', () => {
  it.each([false, true])('reads the official file names (gzip %s)', async (gzip) => {
    const dir = join(tmp.dir, gzip ? 'gz' : 'raw');
    (await import('node:fs')).mkdirSync(dir);
    writeMnist(dir, 'train', 12, gzip);
    writeMnist(dir, 't10k', 5, gzip);
    const train = await loadMnist(dir);
    expect(train.length).toBe(12);
    expect(train.imageShape).toEqual([28, 28, 1]);
    const batch = await train.get([11, 3]);
    expect(batch.shape).toEqual([2, 28, 28, 1]);
    expect(Array.from(batch.labels)).toEqual([1, 3]);
    expect(batch.images[(0 * 28 + 27) * 28 + 5]).toBe(pixelValue(11, 27, 5, 0));
    expect(batch.images[784 + 2 * 28 + 9]).toBe(pixelValue(3, 2, 9, 0));
    const test = await loadMnist(dir, { split: 'test', classNames: FASHION_MNIST_CLASSES });
    expect(test.length).toBe(5);
    expect(test.classNames[9]).toBe('Ankle boot');
  });

  it('rejects labels out of range and mismatched counts', async () => {
    const images = join(tmp.dir, 'im');
    const labels = join(tmp.dir, 'lb');
    writeFileSync(images, idxBytes([3, 2, 2], new Uint8Array(12)));
    writeFileSync(labels, idxBytes([3], Uint8Array.from([0, 9, 10])));
    let error = await expectError(loadIdxDataset(images, labels), 'CORRUPT_DATA');
    expect(error.message).toMatch(/lb' record 2/);
    writeFileSync(labels, idxBytes([2], Uint8Array.from([0, 9])));
    error = await expectError(loadIdxDataset(images, labels), 'CORRUPT_DATA');
    expect(error.message).toContain('2 labels');
    writeFileSync(labels, idxBytes([3], Uint8Array.from([0, 1, 2])));
    const ds = await loadIdxDataset(images, labels, { classNames: ['a', 'b', 'c'] });
    expect(ds.numClasses).toBe(3);
    await expectError(loadMnist(join(tmp.dir, 'none')), 'NOT_FOUND');
  });
});
