/**
 * Loader throughput on wasm, in images per second:
 * - Fashion-MNIST (the embedded default): 40 batches of 256 (10,240 images)
 *   from the in-memory dataset to float32 NHWC tensors in [0, 1]. Reference:
 *   a torch Dataset that does what torchvision's FashionMNIST.__getitem__
 *   does (uint8 -> PIL image -> ToTensor) with DataLoader(batch 256,
 *   shuffle, num_workers=0).
 * - CIFAR-10 binary: one epoch of a generated official-size `test_batch.bin`
 *   (10,000 records) in batches of 256, read on demand from the file and
 *   converted from channel-planar to HWC. Reference: torchvision's
 *   CIFAR10.__getitem__ work (in-memory HWC uint8 -> PIL -> ToTensor), which
 *   reads nothing from disk during the epoch.
 * - ImageFolder: 200 generated 256x256 JPEGs (10 classes, quality 90) decoded
 *   and resized to 224x224 (cover = Resize(224) + CenterCrop(224)), one epoch
 *   in batches of 50. Reference: torchvision.datasets.ImageFolder with
 *   Resize(224), CenterCrop(224), ToTensor and DataLoader(batch 50, shuffle,
 *   num_workers=0) on the same files.
 * Both sides write the same pixel content (see imagePixel) into the same
 * folder; whichever runs first writes it (sharp or PIL, both quality 90).
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createLoader, loadCifar10, loadImageFolder, type DataLoader } from '@contrastive/data';
import { loadFashionMnist } from '@contrastive/fashion-mnist';
import type { BenchCase } from '../types';

const FOLDER = join(tmpdir(), 'contrastive-bench-image-folder-v1');
const IMAGES = 200;
const CLASSES = 10;
const SIDE = 256;
const FASHION_BATCH = 256;
const FASHION_STEPS = 40;
const FOLDER_BATCH = 50;
const CIFAR_DIR = join(tmpdir(), 'contrastive-bench-cifar10-v1');
const CIFAR_RECORDS = 10_000;
const CIFAR_BATCH = 256;

/** An official-size CIFAR-10 `test_batch.bin` of generated records. */
function ensureCifar(): string {
  const path = join(CIFAR_DIR, 'test_batch.bin');
  if (existsSync(path)) return CIFAR_DIR;
  mkdirSync(CIFAR_DIR, { recursive: true });
  const bytes = new Uint8Array(CIFAR_RECORDS * 3073);
  for (let r = 0; r < CIFAR_RECORDS; r++) {
    bytes[r * 3073] = r % 10;
    for (let p = 0; p < 3072; p++) bytes[r * 3073 + 1 + p] = (r * 131 + p * 7) % 256;
  }
  writeFileSync(path, bytes);
  return CIFAR_DIR;
}

/** Pixel (y, x, c) of generated image i; mirrored by reference/data_loader.py. */
function imagePixel(i: number, y: number, x: number, c: number): number {
  return (x * (c + 1) + y * (3 - c) + 37 * i) % 256;
}

async function ensureImageFolder(): Promise<string> {
  if (existsSync(join(FOLDER, 'complete'))) return FOLDER;
  for (let i = 0; i < IMAGES; i++) {
    const dir = join(FOLDER, `class_${i % CLASSES}`);
    mkdirSync(dir, { recursive: true });
    const raw = Buffer.alloc(SIDE * SIDE * 3);
    for (let y = 0; y < SIDE; y++)
      for (let x = 0; x < SIDE; x++) for (let c = 0; c < 3; c++) raw[(y * SIDE + x) * 3 + c] = imagePixel(i, y, x, c);
    await sharp(raw, { raw: { width: SIDE, height: SIDE, channels: 3 } })
      .jpeg({ quality: 90 })
      .toFile(join(dir, `img_${String(i).padStart(4, '0')}.jpg`));
  }
  writeFileSync(join(FOLDER, 'complete'), 'generated\n');
  return FOLDER;
}

/** One epoch (or `maxSteps` batches) through the loader; reads back the last labels. */
async function drain(loader: DataLoader, epoch: number, maxSteps: number): Promise<void> {
  let steps = 0;
  for await (const b of loader.epoch(epoch)) {
    const last = ++steps >= maxSteps;
    if (last) await b.labels.data();
    tf.dispose([b.images, b.labels]);
    if (last) break;
  }
}

export const cases: BenchCase[] = [
  {
    name: 'data-loader/fashion-mnist',
    description: `embedded Fashion-MNIST, ${FASHION_STEPS} shuffled batches of ${FASHION_BATCH} -> float32 NHWC tensors`,
    repeats: 5,
    torch: { script: 'data_loader.py', args: ['memory', String(FASHION_BATCH), String(FASHION_STEPS), '60000', '28', '28', '1'] },
    items: { count: FASHION_BATCH * FASHION_STEPS, unit: 'images' },
    async setup() {
      const loader = createLoader(await loadFashionMnist(), { batchSize: FASHION_BATCH, seed: 0 });
      let epoch = 0;
      return {
        run: () => drain(loader, epoch++, FASHION_STEPS),
        dispose() {},
      };
    },
  },
  {
    name: 'data-loader/cifar10-binary',
    description: `CIFAR-10 test_batch.bin (10,000 records) read on demand, one shuffled epoch in batches of ${CIFAR_BATCH}`,
    repeats: 5,
    torch: {
      script: 'data_loader.py',
      args: ['memory', String(CIFAR_BATCH), String(Math.ceil(CIFAR_RECORDS / CIFAR_BATCH)), String(CIFAR_RECORDS), '32', '32', '3'],
    },
    items: { count: CIFAR_RECORDS, unit: 'images' },
    async setup() {
      const loader = createLoader(await loadCifar10(ensureCifar(), { split: 'test' }), { batchSize: CIFAR_BATCH, seed: 0 });
      let epoch = 0;
      return {
        run: () => drain(loader, epoch++, Infinity),
        dispose() {},
      };
    },
  },
  {
    name: 'data-loader/image-folder-224',
    description: `ImageFolder of ${IMAGES} 256x256 JPEGs decoded + resized to 224x224, batches of ${FOLDER_BATCH}, one epoch`,
    repeats: 3,
    torch: { script: 'data_loader.py', args: ['folder', String(FOLDER_BATCH), FOLDER] },
    items: { count: IMAGES, unit: 'images' },
    async setup() {
      const dataset = await loadImageFolder(await ensureImageFolder(), { size: 224 });
      const loader = createLoader(dataset, { batchSize: FOLDER_BATCH, seed: 0 });
      let epoch = 0;
      return {
        run: () => drain(loader, epoch++, Infinity),
        dispose() {},
      };
    },
  },
];
