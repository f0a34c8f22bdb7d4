/**
 * ImageFolder: `root/<class>/**\/*.{jpg,jpeg,png,webp}` (the layout of the
 * ImageNet ILSVRC-2012 train/val folders and of torchvision's ImageFolder).
 * Files are listed with fast-glob and decoded on demand with sharp (in
 * libuv's thread pool, so decoding overlaps training); only the requested
 * batches are ever in memory. `get` gives the evaluation decode (e.g.
 * Resize(256) + CenterCrop(224)); `getViews` cuts RandomResizedCrop views
 * from the full image (torchvision's training transform).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import fg from 'fast-glob';
import { argumentError, assertInteger, assertOneOf } from '@contrastive/core';
import { isClassListName, readClassList } from './class-lists';
import { sharedCropWorkers } from './crop-workers';
import { createDecodeQueue, type DecodeQueueStats } from './decode-queue';
import { decodeThreads } from './decode-threads';
import { checkIndices, corruptDataError, notFoundError } from './errors';
import { cropAndResize, decodeResized, decodeRgb, type ResizeKernel } from './image-decode';
import { exists, parseNameList } from './name-file';
import { pilResizeCentreCrop } from './pil-eval-decode';
import { resolveRoot } from './resolve-root';
import type { ImageBatch, ViewBatch, ViewDataset, ViewRequest } from './types';
import { drawViewBoxes, viewCropRng } from './view-crops';
import { checkViewRequest } from './view-request';

export type { ResizeKernel } from './image-decode';

/** How an image is brought to the output size. */
export type ImageFit = 'cover' | 'fill';

/** Options of {@link loadImageFolder}. */
export interface ImageFolderOptions {
  /** Output size: one number for square images or `[height, width]`. Default 224 (ImageNet). */
  size?: number | readonly [number, number];
  /**
   * torchvision `Resize(resize)` before the centre crop to `size`: the
   * shorter side becomes `resize` (the longer `floor(resize * long / short)`),
   * then the centre `size` is cut, e.g. 256 with size 224, the ImageNet
   * evaluation transform. At least the larger side of `size`. Default: none
   * (then `fit` applies).
   */
  resize?: number;
  /**
   * Without `resize`: `'cover'` scales the shorter side to the size and crops
   * the centre (torchvision `Resize(s)` + `CenterCrop(s)`); `'fill'` stretches
   * to the size. Default `'cover'`.
   */
  fit?: ImageFit;
  /**
   * Resampling kernel. Default `'linear'`. Training views (`getViews`) are
   * resized with Pillow's own filters, byte for byte (`'linear'` = PIL's
   * `BILINEAR`, what torchvision's RandomResizedCrop uses, `'cubic'` =
   * `BICUBIC`, `'lanczos3'` = `LANCZOS`; `'nearest'` falls back to sharp),
   * and so are evaluation decodes with `resize` (torchvision's Resize +
   * CenterCrop on a PIL image). Without `resize`, `get` uses sharp's kernel
   * of that name (its triangle filter is the closest to PIL's bilinear one).
   */
  kernel?: ResizeKernel;
  /**
   * The classes to use, label k = the k-th: a text file listing class
   * folders one per line (first token; `#` comments and blank lines ignored),
   * a shipped list by name (`'imagenet100'`: CMC's ImageNet-100; a shipped
   * name wins over a file of the same name, write `./imagenet100` for the
   * file), or the folder names. Default: every sub-folder, sorted.
   */
  classList?: string | readonly string[];
  /** File extensions, case-insensitive. Default jpg, jpeg, png, webp. */
  extensions?: readonly string[];
  /**
   * Leave out images that fail to decode (the batch gets smaller; see
   * `skipped()`) instead of throwing `CORRUPT_DATA`. Default false.
   */
  skipCorrupt?: boolean;
  /**
   * Images decoding at once, over all pending `get`/`getViews` calls of the
   * dataset (a first-in first-out queue; each batch is queued whole at once).
   * Bounds the decoded images held in memory. Default twice the decode and
   * crop threads together (an image holds its slot until its views are cut),
   * so neither libuv's pool nor the crop workers wait for work.
   */
  concurrency?: number;
  /**
   * Worker threads that cut and resize the training views of decoded images
   * (`crop-workers.ts`), shared by every ImageFolder of the process; 0 cuts
   * them on the JavaScript thread. Default: libuv's pool size
   * ({@link decodeThreads}), at most the machine's cores.
   */
  cropThreads?: number;
}

/** Defaults of {@link loadImageFolder}. */
export const IMAGE_FOLDER_DEFAULTS = Object.freeze({
  size: 224,
  fit: 'cover' as ImageFit,
  kernel: 'linear' as ResizeKernel,
  extensions: Object.freeze(['jpg', 'jpeg', 'png', 'webp']) as readonly string[],
  skipCorrupt: false,
});

/** An image that could not be decoded and was left out. */
export interface SkippedImage {
  readonly index: number;
  readonly path: string;
  readonly reason: string;
}

/** A dataset over an image folder: evaluation decodes (`get`) and training views (`getViews`). */
export interface ImageFolderDataset extends ViewDataset {
  /** Every image path, index = dataset index. */
  readonly files: readonly string[];
  /** Images left out so far because they did not decode (`skipCorrupt`). */
  skipped(): readonly SkippedImage[];
  /** The decode queue's counters (running, waiting, most ever running). */
  decodeStats(): DecodeQueueStats;
}

async function readClasses(fn: string, classList: string | readonly string[]): Promise<string[]> {
  if (typeof classList !== 'string') return [...classList];
  if (isClassListName(classList)) return readClassList(classList);
  if (!(await exists(classList))) throw notFoundError(fn, 'classList', 'an existing file or a shipped list name', classList);
  return parseNameList(await readFile(classList, 'utf8'));
}

async function listClasses(fn: string, root: string, classList: string | readonly string[] | undefined): Promise<string[]> {
  if (classList === undefined) {
    const entries = await readdir(root, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  const classes = await readClasses(fn, classList);
  const what = typeof classList === 'string' ? `'${classList}'` : 'the array';
  if (classes.length === 0) {
    throw argumentError('INVALID_ARGUMENT', fn, 'classList', 'at least one class', `${what} lists none`);
  }
  const repeated = classes.find((c, i) => classes.indexOf(c) !== i);
  if (repeated !== undefined) {
    throw argumentError('INVALID_ARGUMENT', fn, 'classList', 'each class once', `${what} lists '${repeated}' twice`);
  }
  for (const c of classes) {
    if (!(await exists(join(root, c)))) throw notFoundError(fn, 'classList', `classes that exist under '${root}'`, join(root, c));
  }
  return classes;
}

/**
 * Lists an image folder. Images are decoded on `get` to `[H, W, 3]` uint8
 * (greyscale expanded, alpha dropped; EXIF orientation ignored, as in PIL).
 * `NOT_FOUND` for a missing root, class-list file, listed class, or a class
 * without images.
 */
export async function loadImageFolder(root: string, options: ImageFolderOptions = {}): Promise<ImageFolderDataset> {
  const fn = 'loadImageFolder';
  const o = { ...IMAGE_FOLDER_DEFAULTS, ...options };
  const [height, width] = typeof o.size === 'number' ? [o.size, o.size] : o.size;
  assertInteger(fn, 'size', height, 1);
  assertInteger(fn, 'size', width, 1);
  if (o.resize !== undefined) assertInteger(fn, 'resize', o.resize, Math.max(height, width));
  assertOneOf(fn, 'fit', o.fit, ['cover', 'fill']);
  assertOneOf(fn, 'kernel', o.kernel, ['nearest', 'linear', 'cubic', 'lanczos3']);
  const cropThreads = o.cropThreads ?? Math.min(decodeThreads(), availableParallelism());
  assertInteger(fn, 'cropThreads', cropThreads, 0);
  const concurrency = o.concurrency ?? 2 * (decodeThreads() + cropThreads);
  assertInteger(fn, 'concurrency', concurrency, 1);
  const filter = o.kernel === 'nearest' ? undefined : o.kernel;
  const cropper = sharedCropWorkers(cropThreads);
  const dir = await resolveRoot(fn, root);
  const classes = await listClasses(fn, dir, o.classList);
  const pattern = o.extensions.length === 1 ? `**/*.${o.extensions[0]}` : `**/*.{${o.extensions.join(',')}}`;
  const files: string[] = [];
  const fileLabels: number[] = [];
  for (let label = 0; label < classes.length; label++) {
    const classDir = join(dir, classes[label]!);
    const found = await fg(pattern, { cwd: classDir, caseSensitiveMatch: false, onlyFiles: true, followSymbolicLinks: true });
    if (found.length === 0) throw notFoundError(fn, 'root', `images (${o.extensions.join(', ')}) in every class folder`, classDir);
    found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const f of found) {
      files.push(join(classDir, f));
      fileLabels.push(label);
    }
  }
  const labelArray = Int32Array.from(fileLabels);
  const skipped = new Map<number, SkippedImage>();
  const queue = createDecodeQueue(concurrency);

  /** Runs a decode of image `index` in the queue, mapping failures to NOT_FOUND / CORRUPT_DATA. */
  const decodeOne = async <T>(index: number, job: (path: string) => Promise<T>): Promise<T> => {
    const path = files[index]!;
    try {
      return await queue.run(() => job(path));
    } catch (error) {
      const message = (error as Error).message;
      if (/missing|ENOENT/.test(message) && !(await exists(path))) {
        throw notFoundError(fn, 'root', 'an existing image file', path);
      }
      throw corruptDataError(fn, path, `cannot decode image (${message})`, index);
    }
  };

  /**
   * Decodes every image at `indices` at once through the queue; with
   * `skipCorrupt`, undecodable images are recorded and left out. Returns the
   * positions (into `indices`) kept, and each one's result.
   */
  const decodeAll = async <T>(
    getFn: string,
    indices: ArrayLike<number>,
    job: (path: string, index: number) => Promise<T>,
  ): Promise<{ kept: number[]; results: T[] }> => {
    checkIndices(getFn, indices, files.length);
    const outcomes = await Promise.allSettled(
      Array.from({ length: indices.length }, async (_, i) => {
        const index = indices[i]!;
        if (skipped.has(index)) return undefined;
        return decodeOne(index, (path) => job(path, index));
      }),
    );
    const kept: number[] = [];
    const results: T[] = [];
    for (let i = 0; i < outcomes.length; i++) {
      const outcome = outcomes[i]!;
      if (outcome.status === 'fulfilled') {
        if (outcome.value === undefined) continue;
        kept.push(i);
        results.push(outcome.value);
        continue;
      }
      const error = outcome.reason as Error & { code?: string };
      if (!o.skipCorrupt || error.code !== 'CORRUPT_DATA') throw error;
      const index = indices[i]!;
      skipped.set(index, { index, path: files[index]!, reason: error.message });
    }
    return { kept, results };
  };

  const pick = (indices: ArrayLike<number>, kept: readonly number[]): { labels: Int32Array; indices: Int32Array } => ({
    labels: Int32Array.from(kept, (i) => labelArray[indices[i]!]!),
    indices: Int32Array.from(kept, (i) => indices[i]!),
  });

  const pixels = height * width * 3;
  const checked = <T extends Uint8Array>(path: string, index: number, data: T, bytes: number): T => {
    if (data.length !== bytes) throw corruptDataError(fn, path, `decoded to ${data.length} bytes, not ${bytes}`, index);
    return data;
  };

  return {
    name: `image-folder:${dir}`,
    length: files.length,
    numClasses: classes.length,
    classNames: classes,
    imageShape: [height, width, 3],
    files,
    skipped: () => [...skipped.values()],
    decodeStats: () => queue.stats(),
    async get(indices: ArrayLike<number>): Promise<ImageBatch> {
      const { resize } = o;
      const { kept, results } = await decodeAll(`${fn}.get`, indices, async (path, index) =>
        checked(
          path,
          index,
          resize !== undefined && filter !== undefined
            ? await pilResizeCentreCrop(path, cropper, { height, width, resize, filter })
            : await decodeResized(path, { height, width, resize, fit: o.fit, kernel: o.kernel }),
          pixels,
        ),
      );
      const images = new Uint8Array(kept.length * pixels);
      results.forEach((data, k) => images.set(data, k * pixels));
      return { images, ...pick(indices, kept), shape: [kept.length, height, width, 3] };
    },
    async getViews(indices: ArrayLike<number>, request: ViewRequest): Promise<ViewBatch> {
      const getFn = `${fn}.getViews`;
      checkViewRequest(getFn, request);
      const [vh, vw] = request.size;
      const viewPixels = vh * vw * 3;
      // One queue slot per image: the file decoded once, then its views cut by the crop workers.
      const { kept, results } = await decodeAll(getFn, indices, async (path, index) => {
        const image = await decodeRgb(path);
        const boxes = drawViewBoxes(image.height, image.width, viewCropRng(request.seed, request.epoch, index), request);
        const views: Uint8Array[] = [];
        if (filter === undefined) {
          for (const box of boxes) views.push(checked(path, index, await cropAndResize(image, box, request.size, o.kernel), viewPixels));
        } else {
          const all = await cropper.crop({ pixels: image.data, height: image.height, width: image.width, boxes, size: request.size, filter });
          for (let v = 0; v < boxes.length; v++) views.push(all.subarray(v * viewPixels, (v + 1) * viewPixels));
        }
        return { views, boxes };
      });
      const n = kept.length;
      const images = new Uint8Array(request.count * n * viewPixels);
      const boxes = new Int32Array(request.count * n * 4);
      results.forEach((r, i) => {
        for (let v = 0; v < request.count; v++) {
          images.set(r.views[v]!, (v * n + i) * viewPixels);
          const b = r.boxes[v]!;
          boxes.set([b.top, b.left, b.height, b.width], (v * n + i) * 4);
        }
      });
      return { images, ...pick(indices, kept), shape: [request.count * n, vh, vw, 3], views: request.count, boxes };
    },
    async labels(): Promise<Int32Array> {
      return labelArray.slice();
    },
  };
}
