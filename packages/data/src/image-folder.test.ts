import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, pixelValue, tempDir, writeFile } from './__fixtures__/formats';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createLoader, loadImageFolder } from './index';

let tmp: ReturnType<typeof tempDir>;
let root: string;

/** Raw HWC pixels of image n, h x w x 3. */
function raw(n: number, h: number, w: number): Buffer {
  const out = Buffer.alloc(h * w * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) out[(y * w + x) * 3 + c] = pixelValue(n, y, x, c);
  return out;
}

async function png(n: number, h: number, w: number): Promise<Buffer> {
  return sharp(raw(n, h, w), { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
}

beforeAll(async () => {
  tmp = tempDir('folder');
  root = join(tmp.dir, 'images');
  writeFile(join(root, 'cat', 'b.png'), await png(1, 8, 8));
  writeFile(join(root, 'cat', 'a.PNG'), await png(0, 8, 8));
  writeFile(join(root, 'cat', 'notes.txt'), 'not an image');
  writeFile(join(root, 'dog', 'sub', 'wide.png'), await png(2, 8, 16));
  writeFile(join(root, 'dog', 'c.jpg'), await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 30, b: 90 } } }).jpeg({ quality: 95 }).toBuffer());
  const grey = Buffer.alloc(64, 77);
  writeFile(join(root, 'eel', 'grey.webp'), await sharp(grey, { raw: { width: 8, height: 8, channels: 1 } }).webp({ lossless: true }).toBuffer());
});
afterAll(() => tmp.cleanup());

function expectImage(images: Uint8Array, slot: number, expected: (y: number, x: number, c: number) => number): void {
  for (let y = 0; y < 8; y++)
    for (let x = 0; x < 8; x++)
      for (let c = 0; c < 3; c++) expect(images[((slot * 8 + y) * 8 + x) * 3 + c], `y${y} x${x} c${c}`).toBe(expected(y, x, c));
}

describe('loadImageFolder', () => {
  it('lists sorted classes and files, decodes PNG/JPEG/WebP to HWC RGB, centre-crops with cover', async () => {
    const ds = await loadImageFolder(root, { size: 8 });
    expect(ds.classNames).toEqual(['cat', 'dog', 'eel']);
    expect(ds.numClasses).toBe(3);
    expect(ds.files.map((f) => f.slice(root.length + 1))).toEqual(['cat/a.PNG', 'cat/b.png', 'dog/c.jpg', 'dog/sub/wide.png', 'eel/grey.webp']);
    expect(Array.from(await ds.labels())).toEqual([0, 0, 1, 1, 2]);
    expect(ds.imageShape).toEqual([8, 8, 3]);
    const batch = await ds.get([1, 0, 3, 4, 2]);
    expect(batch.shape).toEqual([5, 8, 8, 3]);
    expect(batch.images).toBeInstanceOf(Uint8Array);
    expect(Array.from(batch.labels)).toEqual([0, 0, 1, 2, 1]);
    expectImage(batch.images, 0, (y, x, c) => pixelValue(1, y, x, c));
    expectImage(batch.images, 1, (y, x, c) => pixelValue(0, y, x, c));
    // 8x16 -> cover 8x8 keeps the centre columns 4..11 unscaled.
    expectImage(batch.images, 2, (y, x, c) => pixelValue(2, y, x + 4, c));
    // greyscale expands to three equal channels
    expectImage(batch.images, 3, () => 77);
    // JPEG is lossy: a flat colour comes back within a few levels
    let worst = 0;
    for (let p = 0; p < 64; p++) for (let c = 0; c < 3; c++) {
      worst = Math.max(worst, Math.abs(batch.images[4 * 192 + p * 3 + c]! - [200, 30, 90][c]!));
    }
    expect(worst).toBeLessThanOrEqual(4);
  });

  it('resizes to the requested size (fill stretches, cover keeps the aspect ratio)', async () => {
    const filled = await loadImageFolder(root, { size: [4, 6], fit: 'fill' });
    const batch = await filled.get([3]);
    expect(batch.shape).toEqual([1, 4, 6, 3]);
    const big = await loadImageFolder(root, { size: 32, kernel: 'nearest' });
    const b = await big.get([0]);
    expect(b.shape).toEqual([1, 32, 32, 3]);
    // nearest 4x upscale: pixel (y, x) comes from source (y/4, x/4)
    expect(b.images[(9 * 32 + 30) * 3 + 1]).toBe(pixelValue(0, 2, 7, 1));
  });

  it('uses a class-list file for the subset and its label order', async () => {
    const list = join(tmp.dir, 'subset.txt');
    writeFile(list, '# subset\neel\n\ncat extra columns\n');
    const ds = await loadImageFolder(root, { size: 8, classList: list });
    expect(ds.classNames).toEqual(['eel', 'cat']);
    expect(ds.length).toBe(3);
    expect(Array.from(await ds.labels())).toEqual([0, 1, 1]);
    writeFile(list, 'cat\n');
    const pngOnly = await loadImageFolder(root, { size: 8, classList: list, extensions: ['png'] });
    expect(pngOnly.files.map((f) => f.slice(root.length + 1))).toEqual(['cat/a.PNG', 'cat/b.png']);
    writeFile(list, 'cat\nbird\n');
    const error = await expectError(loadImageFolder(root, { classList: list }), 'NOT_FOUND');
    expect(error.message).toContain('bird');
    await expectError(loadImageFolder(root, { classList: join(tmp.dir, 'none.txt') }), 'NOT_FOUND');
  });

  it('throws CORRUPT_DATA naming an undecodable file, or skips it and reports it', async () => {
    const bad = join(tmp.dir, 'bad');
    writeFile(join(bad, 'a', 'ok.png'), await png(5, 8, 8));
    const jpeg = await sharp(raw(6, 64, 64), { raw: { width: 64, height: 64, channels: 3 } }).jpeg().toBuffer();
    writeFile(join(bad, 'a', 'truncated.jpg'), jpeg.subarray(0, jpeg.length >> 1));
    writeFile(join(bad, 'b', 'garbage.jpg'), 'this is not a JPEG');
    writeFile(join(bad, 'b', 'ok2.png'), await png(7, 8, 8));
    const strict = await loadImageFolder(bad, { size: 8 });
    let error = await expectError(strict.get([0, 1]), 'CORRUPT_DATA');
    expect(error.message).toContain('truncated.jpg');
    expect(error.message).toContain('record 1');
    error = await expectError(strict.get([2]), 'CORRUPT_DATA');
    expect(error.message).toContain('garbage.jpg');

    const lenient = await loadImageFolder(bad, { size: 8, skipCorrupt: true });
    const batch = await lenient.get([3, 1, 0, 2]);
    expect(batch.shape).toEqual([2, 8, 8, 3]);
    expect(Array.from(batch.indices)).toEqual([3, 0]);
    expect(Array.from(batch.labels)).toEqual([1, 0]);
    expectImage(batch.images, 0, (y, x, c) => pixelValue(7, y, x, c));
    expectImage(batch.images, 1, (y, x, c) => pixelValue(5, y, x, c));
    await lenient.get([1, 2]);
    // Through the loader: skipped images shrink the batch; indices say which remain.
    await tf.setBackend('cpu');
    const seen: number[] = [];
    for await (const b of createLoader(lenient, { batchSize: 3, seed: 1 }).epoch(0)) {
      expect(b.images.shape).toEqual([b.indices.length, 8, 8, 3]);
      seen.push(...b.indices);
      tf.dispose([b.images, b.labels]);
    }
    expect(seen.sort()).toEqual([0, 3]);
    expect(lenient.skipped().map((s) => s.path.slice(bad.length + 1)).sort()).toEqual(['a/truncated.jpg', 'b/garbage.jpg']);
  });

  it('reports a missing root, an empty class, bad options', async () => {
    await expectError(loadImageFolder(join(tmp.dir, 'missing')), 'NOT_FOUND');
    const empty = join(tmp.dir, 'empty');
    writeFile(join(empty, 'a', 'x.png'), await png(0, 8, 8));
    writeFile(join(empty, 'b', 'readme.txt'), 'no images');
    const error = await expectError(loadImageFolder(empty), 'NOT_FOUND');
    expect(error.message).toContain(join(empty, 'b'));
    await expectError(loadImageFolder(root, { size: 0 }), 'OUT_OF_RANGE');
    await expectError(loadImageFolder(root, { fit: 'contain' as 'cover' }), 'UNKNOWN_NAME');
    const ds = await loadImageFolder(root, { size: 8 });
    await expectError(ds.get([5]), 'OUT_OF_RANGE');
  });
});
