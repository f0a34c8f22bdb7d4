import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Dataset } from '@contrastive/data';
import { resolveConfig } from '@contrastive/train';
import { appConfigSchema } from './config-schema';
import { openRunData } from './open-data';
import { idxPrefixes } from './open-idx';

const root = mkdtempSync(join(tmpdir(), 'kit-datasets-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** An IDX file: 00 00 08 <rank>, big-endian dims, uint8 data. */
function idx(dims: number[], data: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  header.set([0, 0, 8, dims.length]);
  dims.forEach((d, i) => new DataView(header.buffer).setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

/** Pixel (y, x) of image n of the fixtures. */
const pixel = (n: number, y: number, x: number) => (n * 31 + y * 7 + x * 3) % 256;

/** Writes `<prefix><stem>-images-idx3-ubyte` / labels with n images of h x w and labels (n * 3) % classes + offset. */
function writeIdxSet(dir: string, prefix: string, stem: string, n: number, h: number, w: number, gzip: boolean, classes = 10, offset = 0): void {
  const images = new Uint8Array(n * h * w);
  for (let k = 0; k < n; k++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) images[k * h * w + y * w + x] = pixel(k, y, x);
  const labels = Uint8Array.from({ length: n }, (_, k) => ((k * 3) % classes) + offset);
  const write = (name: string, bytes: Uint8Array) => writeFileSync(join(dir, gzip ? `${name}.gz` : name), gzip ? gzipSync(bytes) : bytes);
  write(`${prefix}${stem}-images-idx3-ubyte`, idx([n, h, w], images));
  write(`${prefix}${stem}-labels-idx1-ubyte`, idx([n], labels));
}

const schema = appConfigSchema(z.object({}));
const base = {
  data: { dataset: 'idx' },
  augment: { preset: 'fashion-mnist-cpu' },
  model: { backbone: 'conv-net', head: 'linear' },
  optimizer: { name: 'sgd', lr: 0.1 },
  schedule: { decay: 'cosine' },
  train: { epochs: 1, batchSize: 8 },
  method: {},
};
type Failure = Error & { code?: string };
/** The error `promise` rejects with (fails when it resolves). */
async function failure(promise: Promise<unknown>): Promise<Failure> {
  try {
    await promise;
  } catch (error) {
    return error as Failure;
  }
  throw new Error('expected a failure');
}
const dataConfig = (data: Record<string, unknown>) => (resolveConfig(schema, { ...base, data }) as { data: Parameters<typeof openRunData>[0] }).data;

async function pixels(dataset: Dataset, i: number): Promise<Uint8Array> {
  return (await dataset.get([i])).images;
}

describe('the idx dataset', () => {
  it('reads MNIST-named files, gzipped or plain, as train and test', async () => {
    const dir = join(root, 'mnist');
    mkdirSync(dir);
    writeIdxSet(dir, '', 'train', 30, 28, 28, true);
    writeIdxSet(dir, '', 't10k', 12, 28, 28, false);
    const data = await openRunData(dataConfig({ dataset: 'idx', root: dir }), 0);
    expect(data.train.length).toBe(30);
    expect(data.evalTest.length).toBe(12);
    expect(data.train.imageShape).toEqual([28, 28, 1]);
    expect(data.train.numClasses).toBe(10);
    expect(Array.from(await data.evalTest.labels())).toEqual(Array.from({ length: 12 }, (_, k) => (k * 3) % 10));
    const image = await pixels(data.evalTest, 5);
    expect(image[2 * 28 + 9]).toBe(pixel(5, 2, 9));
  });

  it('finds EMNIST file sets by prefix, names classes from the mapping file and puts images upright', async () => {
    const dir = join(root, 'emnist');
    mkdirSync(dir);
    // letters: labels 1..26 (0 unused); two splits in one folder
    writeIdxSet(dir, 'emnist-letters-', 'train', 26, 28, 28, true, 26, 1);
    writeIdxSet(dir, 'emnist-letters-', 'test', 13, 28, 28, true, 26, 1);
    writeIdxSet(dir, 'emnist-digits-', 'train', 10, 28, 28, true);
    writeIdxSet(dir, 'emnist-digits-', 'test', 10, 28, 28, true);
    writeFileSync(join(dir, 'emnist-letters-mapping.txt'), Array.from({ length: 26 }, (_, i) => `${i + 1} ${65 + i} ${97 + i}`).join('\n'));
    expect(idxPrefixes(dir)).toEqual(['emnist-digits-', 'emnist-letters-']);
    const ambiguous = await failure(openRunData(dataConfig({ dataset: 'idx', root: dir }), 0));
    expect(ambiguous.code).toBe('INVALID_ARGUMENT');
    expect(ambiguous.message).toContain("'data.idxPrefix' must name one of the file sets");
    expect(ambiguous.message).toContain('"emnist-letters-"');
    const data = await openRunData(dataConfig({ dataset: 'idx', root: dir, idxPrefix: 'emnist-letters-' }), 0);
    expect(data.train.length).toBe(26);
    expect(data.evalTest.length).toBe(13);
    expect(data.train.numClasses).toBe(27);
    expect(data.train.classNames[1]).toBe('A');
    expect(data.train.classNames[26]).toBe('Z');
    expect(data.train.classNames[0]).toBe('0');
    // Stored transposed: pixel (y, x) of the file is (x, y) of the image.
    const image = await pixels(data.train, 4);
    expect(image[9 * 28 + 2]).toBe(pixel(4, 2, 9));
  });

  it('says which files are missing', async () => {
    const dir = join(root, 'empty');
    mkdirSync(dir);
    const none = await failure(openRunData(dataConfig({ dataset: 'idx', root: dir }), 0));
    expect(none.code).toBe('NOT_FOUND');
    expect(none.message).toContain('train-images-idx3-ubyte');
    writeIdxSet(dir, '', 'train', 10, 28, 28, false);
    const noTest = await failure(openRunData(dataConfig({ dataset: 'idx', root: dir }), 0));
    expect(noTest.code).toBe('NOT_FOUND');
    expect(noTest.message).toContain('t10k-images-idx3-ubyte[.gz] or test-images-idx3-ubyte[.gz]');
  });
});

/** CIFAR-10 records: label byte then planar 32x32x3 pixels. */
function cifarRecords(count: number): Uint8Array {
  const rec = 1 + 3072;
  const out = new Uint8Array(count * rec);
  for (let k = 0; k < count; k++) {
    out[k * rec] = k % 10;
    for (let j = 0; j < 3072; j++) out[k * rec + 1 + j] = (k * 13 + j) % 256;
  }
  return out;
}

describe('CIFAR-format data with other record counts', () => {
  const dir = join(root, 'cifar');
  mkdirSync(dir);
  for (let i = 1; i <= 5; i++) writeFileSync(join(dir, `data_batch_${i}.bin`), cifarRecords(4));
  writeFileSync(join(dir, 'test_batch.bin'), cifarRecords(3));

  it('is rejected by default (the official 10,000 records per file)', async () => {
    const error = await failure(openRunData(dataConfig({ dataset: 'cifar10', root: dir }), 0));
    expect(error.code).toBe('CORRUPT_DATA');
    expect(error.message).toContain('10000');
  });

  it('opens with data.officialSize=false: any whole number of records', async () => {
    const data = await openRunData(dataConfig({ dataset: 'cifar10', root: dir, officialSize: false }), 0);
    expect(data.train.length).toBe(20);
    expect(data.evalTest.length).toBe(3);
  });

  it('still rejects a partial record', async () => {
    const bad = join(root, 'cifar-partial');
    mkdirSync(bad);
    for (let i = 1; i <= 5; i++) writeFileSync(join(bad, `data_batch_${i}.bin`), cifarRecords(4));
    writeFileSync(join(bad, 'test_batch.bin'), cifarRecords(3).subarray(0, 3 * 3073 - 10));
    const error = await failure(openRunData(dataConfig({ dataset: 'cifar10', root: bad, officialSize: false }), 0));
    expect(error.code).toBe('CORRUPT_DATA');
  });
});
