import { join } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng, type Rng } from '@contrastive/core';
import { expectError, pixelValue, tempDir, writeFile } from './__fixtures__/formats';
import { createLoader, loadImageFolder, subsetDataset, viewCropSeed, type ViewRequest } from './index';
import { pilResizedCrop } from './pil-resample';

let tmp: ReturnType<typeof tempDir>;
let root: string;

/** Source sizes [height, width] of the test images, in dataset order (class a: 0..2, class b: 3). */
const SIZES: [number, number][] = [
  [30, 40],
  [9, 60], // aspect 6.7: most attempts fail, so the centre fallback with ratio clamping is exercised
  [50, 20],
  [48, 96], // the coloured-corner image
];

/** Corner colours of the 48x96 image: top-left, top-right, bottom-left, bottom-right. */
const CORNERS = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [255, 255, 0],
] as const;
const GREY = 128;

function rawImage(n: number, h: number, w: number): Buffer {
  const out = Buffer.alloc(h * w * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) out[(y * w + x) * 3 + c] = pixelValue(n, y, x, c);
  return out;
}

/** 48x96: grey, with a 12x12 block of each corner colour (outside the central 48x48 square). */
function cornerImage(): Buffer {
  const [h, w] = SIZES[3]!;
  const out = Buffer.alloc(h * w * 3, GREY);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const corner: number = y < 12 ? (x < 12 ? 0 : x >= w - 12 ? 1 : -1) : y >= h - 12 ? (x < 12 ? 2 : x >= w - 12 ? 3 : -1) : -1;
      const colour = CORNERS[corner];
      if (colour !== undefined) for (let c = 0; c < 3; c++) out[(y * w + x) * 3 + c] = colour[c]!;
    }
  return out;
}

async function png(raw: Buffer, h: number, w: number): Promise<Buffer> {
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
}

beforeAll(async () => {
  tmp = tempDir('views');
  root = join(tmp.dir, 'images');
  for (let n = 0; n < 3; n++) writeFile(join(root, 'a', `${n}.png`), await png(rawImage(n, ...SIZES[n]!), ...SIZES[n]!));
  writeFile(join(root, 'b', 'corners.png'), await png(cornerImage(), ...SIZES[3]!));
  await tf.setBackend('cpu');
});
afterAll(() => tmp.cleanup());

/** Python's round() (halves to even), float64. */
function pyRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}

/**
 * torchvision RandomResizedCrop.get_params, written from spec §0.5 and
 * torchvision's documented sampler in float64: up to 10 attempts of
 * area = H*W*U(scale), aspect = exp(U(log ratio)), w = round(sqrt(area*aspect)),
 * h = round(sqrt(area/aspect)), accepted when 0 < w <= W and 0 < h <= H, then
 * top = randint(0, H-h+1), left = randint(0, W-w+1); else the centre crop of
 * the whole image with its aspect clamped into `ratio`. Draws: `u()` for each
 * uniform, `randint(n)` for each integer.
 */
function referenceBox(H: number, W: number, scale: readonly [number, number], ratio: readonly [number, number], rng: Rng): number[] {
  const u = (lo: number, hi: number): number => lo + (hi - lo) * rng.next();
  for (let attempt = 0; attempt < 10; attempt++) {
    const area = H * W * u(scale[0], scale[1]);
    const aspect = Math.exp(u(Math.log(ratio[0]), Math.log(ratio[1])));
    const w = pyRound(Math.sqrt(area * aspect));
    const h = pyRound(Math.sqrt(area / aspect));
    if (w > 0 && w <= W && h > 0 && h <= H) {
      const top = rng.int(H - h + 1);
      const left = rng.int(W - w + 1);
      return [top, left, h, w];
    }
  }
  const inRatio = W / H;
  let w = W;
  let h = H;
  if (inRatio < ratio[0]) h = pyRound(w / ratio[0]);
  else if (inRatio > ratio[1]) w = pyRound(h * ratio[1]);
  return [Math.floor((H - h) / 2), Math.floor((W - w) / 2), h, w];
}

const request = (over: Partial<ViewRequest> = {}): ViewRequest => ({
  count: 2,
  size: [8, 8],
  scale: [0.08, 1],
  ratio: [3 / 4, 4 / 3],
  seed: 5,
  epoch: 0,
  ...over,
});

describe('ImageFolder views (RandomResizedCrop at decode)', () => {
  it('draws the boxes of a float64 torchvision reference on the full image, view-major', async () => {
    const ds = await loadImageFolder(root);
    let fallbacks = 0;
    for (const [scale, epoch] of [
      [[0.08, 1], 0],
      [[0.2, 1], 3],
    ] as const) {
      const req = request({ count: 3, scale, epoch });
      const batch = await ds.getViews([3, 1, 0, 2], req);
      expect(batch.shape).toEqual([12, 8, 8, 3]);
      expect(batch.views).toBe(3);
      expect(Array.from(batch.indices)).toEqual([3, 1, 0, 2]);
      expect(Array.from(batch.labels)).toEqual([1, 0, 0, 0]);
      batch.indices.forEach((index, i) => {
        const [H, W] = SIZES[index]!;
        const rng = createRng(viewCropSeed(req.seed, epoch, index));
        for (let v = 0; v < 3; v++) {
          const expected = referenceBox(H, W, scale, req.ratio, rng);
          const got = Array.from(batch.boxes.subarray((v * 4 + i) * 4, (v * 4 + i) * 4 + 4));
          expect(got, `image ${index} view ${v}`).toEqual(expected);
          if (index === 1 && expected[2] === 9 && expected[3] === 12) fallbacks++;
        }
      });
    }
    // The 9x60 image: 10 failed attempts leave the centred 9x12 box (aspect clamped to 4/3).
    expect(fallbacks).toBeGreaterThan(0);
  });

  it('cuts the box exactly and resizes it (a box of the output size is copied pixel for pixel)', async () => {
    const ds = await loadImageFolder(root);
    // Small square boxes on the 30x40 image: the ones of exactly 6x6 pixels need no resampling.
    let exact = 0;
    for (let epoch = 0; epoch < 40 && exact < 3; epoch++) {
      const batch = await ds.getViews([0], request({ count: 4, size: [6, 6], scale: [0.02, 0.04], ratio: [1, 1], epoch }));
      for (let v = 0; v < 4; v++) {
        const [top, left, h, w] = Array.from(batch.boxes.subarray(v * 4, v * 4 + 4)) as [number, number, number, number];
        if (h !== 6 || w !== 6) continue;
        exact++;
        for (let y = 0; y < 6; y++)
          for (let x = 0; x < 6; x++)
            for (let c = 0; c < 3; c++) expect(batch.images[((v * 6 + y) * 6 + x) * 3 + c]).toBe(pixelValue(0, top + y, left + x, c));
      }
    }
    expect(exact).toBeGreaterThan(0);
  });

  it('covers the whole image: every corner of a wide image shows up over many crops', async () => {
    const ds = await loadImageFolder(root);
    const seen = new Set<number>();
    const size = 16;
    for (let epoch = 0; epoch < 10; epoch++) {
      const batch = await ds.getViews([3], request({ count: 8, size: [size, size], epoch }));
      for (let v = 0; v < 8; v++) {
        const px = (y: number, x: number): number[] => [0, 1, 2].map((c) => batch.images[((v * size + y) * size + x) * 3 + c]!);
        const corners = [px(0, 0), px(0, size - 1), px(size - 1, 0), px(size - 1, size - 1)];
        corners.forEach((rgb, k) => {
          if (rgb.every((value, c) => Math.abs(value - CORNERS[k]![c]!) <= 2)) seen.add(k);
        });
      }
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
    // The centre decode (Resize + CenterCrop) of the same image never shows a corner.
    const centre = await (await loadImageFolder(root, { size: 16, resize: 16 })).get([3]);
    expect(new Set(centre.images)).toEqual(new Set([GREY]));
  });

  it("views are Pillow's crop().resize() of the decoded image at the recorded boxes, on crop workers or the JavaScript thread", async () => {
    const req = request({ count: 2, epoch: 3, size: [12, 10] });
    for (const kernel of ['linear', 'cubic'] as const) {
      const pooled = await (await loadImageFolder(root, { kernel, cropThreads: 2 })).getViews([0, 1, 2, 3], req);
      const local = await (await loadImageFolder(root, { kernel, cropThreads: 0 })).getViews([0, 1, 2, 3], req);
      expect(Buffer.from(local.images).equals(Buffer.from(pooled.images))).toBe(true);
      const viewBytes = 12 * 10 * 3;
      for (let i = 0; i < 4; i++) {
        const [h, w] = SIZES[i]!;
        const source = i === 3 ? cornerImage() : rawImage(i, h, w);
        for (let v = 0; v < 2; v++) {
          const [top, left, height, width] = Array.from(pooled.boxes.subarray((v * 4 + i) * 4, (v * 4 + i + 1) * 4));
          const want = new Uint8Array(viewBytes);
          pilResizedCrop(source, w, { top: top!, left: left!, height: height!, width: width! }, 12, 10, kernel, want, 0);
          expect(Array.from(pooled.images.subarray((v * 4 + i) * viewBytes, (v * 4 + i + 1) * viewBytes))).toEqual(Array.from(want));
        }
      }
    }
    // 'nearest' keeps sharp's extract-and-resize pipeline.
    const nearest = await (await loadImageFolder(root, { kernel: 'nearest' })).getViews([0], req);
    const [top, left, height, width] = Array.from(nearest.boxes.subarray(0, 4));
    const sharpView = await sharp(rawImage(0, ...SIZES[0]!), { raw: { width: SIZES[0]![1], height: SIZES[0]![0], channels: 3 } })
      .extract({ top: top!, left: left!, height: height!, width: width! })
      .resize({ width: 10, height: 12, fit: 'fill', kernel: 'nearest' })
      .raw()
      .toBuffer();
    expect(Buffer.from(nearest.images.subarray(0, 12 * 10 * 3)).equals(sharpView)).toBe(true);
    await expectError(loadImageFolder(root, { cropThreads: -1 }), 'OUT_OF_RANGE');
  });

  it('gives the same crops whatever the decode concurrency, batch or order', async () => {
    const one = await loadImageFolder(root, { concurrency: 1 });
    const many = await loadImageFolder(root, { concurrency: 8 });
    const req = request({ count: 2, epoch: 7 });
    const a = await one.getViews([0, 1, 2, 3], req);
    const b = await many.getViews([0, 1, 2, 3], req);
    expect(Buffer.from(b.images).equals(Buffer.from(a.images))).toBe(true);
    expect(Array.from(b.boxes)).toEqual(Array.from(a.boxes));
    // Image 2 alone: its two views equal its views within the batch of four.
    const alone = await many.getViews([2], req);
    const viewBytes = 8 * 8 * 3;
    for (let v = 0; v < 2; v++) {
      const inBatch = a.images.subarray((v * 4 + 2) * viewBytes, (v * 4 + 3) * viewBytes);
      expect(Buffer.from(alone.images.subarray(v * viewBytes, (v + 1) * viewBytes)).equals(Buffer.from(inBatch))).toBe(true);
    }
    // A subset decodes views too, with the parent's crops of each image.
    const subset = subsetDataset(many, [3, 2]);
    const fromSubset = await subset.getViews([1], req);
    expect(Array.from(fromSubset.indices)).toEqual([1]);
    expect(Buffer.from(fromSubset.images).equals(Buffer.from(alone.images))).toBe(true);
    // Another epoch or seed draws other crops.
    const other = await many.getViews([0, 1, 2, 3], request({ count: 2, epoch: 8 }));
    expect(Array.from(other.boxes)).not.toEqual(Array.from(a.boxes));
  });

  it('evaluation decode: torchvision Resize(r) + CenterCrop(s)', async () => {
    // 30x40 with Resize(30) keeps its size (shorter side already 30): CenterCrop(24) starts at
    // row round(3) = 3, column round(8) = 8, so the pixels are copied exactly.
    const same = await loadImageFolder(root, { size: 24, resize: 30, classList: ['a'] });
    const b = await same.get([0]);
    expect(b.shape).toEqual([1, 24, 24, 3]);
    for (let y = 0; y < 24; y++)
      for (let x = 0; x < 24; x++) for (let c = 0; c < 3; c++) expect(b.images[(y * 24 + x) * 3 + c]).toBe(pixelValue(0, y + 3, x + 8, c));
    // 50x20 (portrait) with Resize(10) + CenterCrop(8): 25x10 resized (floor(10 * 50 / 20) = 25),
    // crop at row round(8.5) = 8 (half to even), column 1: Pillow's resize of the whole image, then the cut.
    const resized = new Uint8Array(25 * 10 * 3);
    pilResizedCrop(rawImage(2, 50, 20), 20, { top: 0, left: 0, height: 50, width: 20 }, 25, 10, 'linear', resized, 0);
    const expected = new Uint8Array(8 * 8 * 3);
    for (let y = 0; y < 8; y++) expected.set(resized.subarray(((8 + y) * 10 + 1) * 3, ((8 + y) * 10 + 9) * 3), y * 8 * 3);
    for (const cropThreads of [2, 0]) {
      const small = await loadImageFolder(root, { size: 8, resize: 10, classList: ['a'], cropThreads });
      expect(Array.from((await small.get([2])).images)).toEqual(Array.from(expected));
    }
    // 'nearest' keeps sharp's pipeline: its own resize + extract.
    const nearest = await (await loadImageFolder(root, { size: 8, resize: 10, classList: ['a'], kernel: 'nearest' })).get([2]);
    const sharpNearest = await sharp(rawImage(2, 50, 20), { raw: { width: 20, height: 50, channels: 3 } })
      .resize({ width: 10, height: 25, fit: 'fill', kernel: 'nearest' })
      .extract({ left: 1, top: 8, width: 8, height: 8 })
      .raw()
      .toBuffer();
    expect(Buffer.from(nearest.images).equals(sharpNearest)).toBe(true);
    await expectError(loadImageFolder(root, { size: 24, resize: 20 }), 'OUT_OF_RANGE');
  });

  it('through the loader: [views * n, H, W, C] batches, same crops on resume at a later step', async () => {
    const ds = await loadImageFolder(root);
    const loader = createLoader(ds, { batchSize: 2, seed: 1, views: { count: 2, size: 8, scale: [0.2, 1] } });
    const full: Uint8Array[] = [];
    for await (const batch of loader.epoch(1)) {
      expect(batch.views).toBe(2);
      expect(batch.images.shape).toEqual([4, 8, 8, 3]);
      full.push(Uint8Array.from(await batch.images.data(), (x) => Math.round(x * 255)));
      tf.dispose([batch.images, batch.labels]);
    }
    for await (const batch of loader.epoch(1, { startStep: 1 })) {
      expect(Uint8Array.from(await batch.images.data(), (x) => Math.round(x * 255))).toEqual(full[batch.step]);
      tf.dispose([batch.images, batch.labels]);
    }
    await expectError(Promise.resolve().then(() => createLoader(ds, { views: { count: 0, size: 8 } })), 'OUT_OF_RANGE');
    await expectError(Promise.resolve().then(() => createLoader(ds, { views: { count: 2, size: 8, scale: [0.5, 2] } })), 'OUT_OF_RANGE');
    await expectError(ds.getViews([0], request({ ratio: [0, 1] })), 'OUT_OF_RANGE');
  });
});
