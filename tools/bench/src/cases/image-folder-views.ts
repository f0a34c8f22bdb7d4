/**
 * ImageFolder training input at ImageNet size (issue 12): images per second
 * for two RandomResizedCrop(224) views per image, cut from the full image at
 * decode (`createLoader(..., { views })`) and handed out as float32 tensors
 * in [0, 1]. A folder of 2,000 JPEGs of 500x375 (quality 90, 4 classes,
 * crops of nine real photographs from Debian's python3-sklearn and
 * python3-skimage; see reference/image_folder_views.py, which writes the
 * folder when it runs first); one run is one epoch of every 8th file (250
 * images, so the case stays short on a loaded machine) in batches of 64.
 * Reference: torchvision's ImageFolder + RandomResizedCrop(224) twice +
 * ToTensor on the same 250 files (a Subset), DataLoader(batch 64, shuffle,
 * num_workers = our decode threads, persistent workers).
 *
 * Our decode threads are libuv's pool (UV_THREADPOOL_SIZE, default 4; the
 * contrastive CLI sizes it to the machine); run the bench with
 * UV_THREADPOOL_SIZE=<n> to compare at n workers. `src/image-folder-cpu.ts`
 * runs both sides interleaved at several thread counts and reports CPU
 * seconds per image as well (the figure a loaded machine barely moves).
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createLoader, decodeThreads, loadImageFolder, subsetDataset } from '@contrastive/data';
import type { BenchCase } from '../types';

export const FOLDER = join(tmpdir(), 'contrastive-bench-photos-500x375-v1');
const IMAGES = 2000;
/** Every STRIDE-th file is in the timed epoch. */
export const STRIDE = 8;
export const EPOCH = IMAGES / STRIDE;
const CLASSES = 4;
const WIDTH = 500;
const HEIGHT = 375;
export const BATCH = 64;
const THREADS = decodeThreads();
const PHOTOS = [
  '/usr/lib/python3/dist-packages/sklearn/datasets/images/china.jpg',
  '/usr/lib/python3/dist-packages/sklearn/datasets/images/flower.jpg',
  '/usr/lib/python3/dist-packages/skimage/data/astronaut.png',
  '/usr/lib/python3/dist-packages/skimage/data/chelsea.png',
  '/usr/lib/python3/dist-packages/skimage/data/coffee.png',
  '/usr/lib/python3/dist-packages/skimage/data/motorcycle_left.png',
  '/usr/lib/python3/dist-packages/skimage/data/rocket.jpg',
  '/usr/lib/python3/dist-packages/skimage/data/hubble_deep_field.jpg',
  '/usr/lib/python3/dist-packages/skimage/data/retina.jpg',
];

/** Crop and mirror flag of file i (mirrors crop_of in reference/image_folder_views.py). */
function cropOf(i: number, width: number, height: number): { left: number; top: number; width: number; height: number; mirror: boolean } {
  const percent = 55 + ((i * 37) % 46);
  const w = Math.floor((width * percent) / 100);
  const h = Math.floor((height * percent) / 100);
  return { left: (i * 131) % (width - w + 1), top: (i * 71) % (height - h + 1), width: w, height: h, mirror: Math.floor(i / PHOTOS.length) % 2 === 1 };
}

/** The photo folder, written first when missing. */
export async function ensurePhotoFolder(): Promise<string> {
  if (existsSync(join(FOLDER, 'complete'))) return FOLDER;
  const missing = PHOTOS.filter((p) => !existsSync(p));
  if (missing.length > 0) throw new Error(`missing photographs ${missing.join(', ')}: apt-get install python3-sklearn python3-skimage`);
  const photos = await Promise.all(PHOTOS.map((p) => sharp(p).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true })));
  for (let i = 0; i < IMAGES; i++) {
    const { data, info } = photos[i % PHOTOS.length]!;
    const { mirror, ...box } = cropOf(i, info.width, info.height);
    const dir = join(FOLDER, `class_${i % CLASSES}`);
    mkdirSync(dir, { recursive: true });
    let img = sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
      .extract(box)
      .resize({ width: WIDTH, height: HEIGHT, fit: 'fill', kernel: 'linear' });
    if (mirror) img = img.flop();
    await img.jpeg({ quality: 90 }).toFile(join(dir, `img_${String(i).padStart(4, '0')}.jpg`));
  }
  writeFileSync(join(FOLDER, 'complete'), 'written by image-folder-views.ts\n');
  return FOLDER;
}

/**
 * One timed run: an epoch of the views loader (epochs 0, 1, ... in turn);
 * only one value of the last batch is read back, so the run ends when its
 * tensors exist without timing a 77 MB copy that torchvision's side has no
 * counterpart for.
 */
export async function viewsEpochRunner(cropThreads?: number): Promise<() => Promise<void>> {
  const folder = await loadImageFolder(await ensurePhotoFolder(), cropThreads === undefined ? {} : { cropThreads });
  const dataset = subsetDataset(folder, Array.from({ length: EPOCH }, (_, i) => i * STRIDE));
  const loader = createLoader(dataset, { batchSize: BATCH, seed: 0, views: { count: 2, size: 224 } });
  let epoch = 0;
  return async () => {
    let last: tf.Tensor | undefined;
    for await (const b of loader.epoch(epoch++)) {
      tf.dispose([last ?? [], b.labels]);
      last = b.images;
    }
    if (last !== undefined) {
      const corner = tf.slice(last, [0, 0, 0, 0], [1, 1, 1, 1]);
      await corner.data();
      tf.dispose([corner, last]);
    }
  };
}

export const cases: BenchCase[] = [
  {
    name: 'data-loader/image-folder-views',
    description: `${EPOCH} JPEGs 500x375 -> two RandomResizedCrop(224) views each cut at decode, float32, batches of ${BATCH}, one epoch; ${THREADS} decode threads vs torchvision with ${THREADS} workers`,
    repeats: 3,
    torch: { script: 'image_folder_views.py', args: [String(BATCH), String(THREADS), String(STRIDE), FOLDER] },
    items: { count: EPOCH, unit: 'images' },
    async setup() {
      const run = await viewsEpochRunner();
      return { run, dispose() {} };
    },
  },
];
