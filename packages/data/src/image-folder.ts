/**
 * ImageFolder: `root/<class>/**\/*.{jpg,jpeg,png,webp}` (the layout of the
 * ImageNet ILSVRC-2012 train/val folders and of torchvision's ImageFolder).
 * Files are listed with fast-glob and decoded on demand with sharp (in
 * libuv's thread pool, so decoding overlaps training); only the requested
 * batch is ever in memory.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fg from 'fast-glob';
import sharp from 'sharp';
import { argumentError, assertInteger, assertOneOf } from '@contrastive/core';
import { checkIndices, corruptDataError, notFoundError } from './errors';
import { exists, parseNameList } from './name-file';
import { resolveRoot } from './resolve-root';
import type { Dataset, ImageBatch } from './types';

/** How an image is brought to the output size. */
export type ImageFit = 'cover' | 'fill';

/** Resampling kernel (sharp names). */
export type ResizeKernel = 'nearest' | 'linear' | 'cubic' | 'lanczos3';

/** Options of {@link loadImageFolder}. */
export interface ImageFolderOptions {
  /** Output size: one number for square images or `[height, width]`. Default 224 (ImageNet). */
  size?: number | readonly [number, number];
  /**
   * `'cover'`: scale the shorter side to the size and crop the centre
   * (torchvision `Resize(s)` + `CenterCrop(s)`); `'fill'`: stretch to the size.
   * Default `'cover'`.
   */
  fit?: ImageFit;
  /** Resampling kernel. Default `'linear'` (bilinear, torchvision's default). */
  kernel?: ResizeKernel;
  /**
   * A text file listing the class folders to use, one per line (first token;
   * `#` comments and blank lines ignored), e.g. the ImageNet-100 subset list.
   * Label k is the k-th listed class. Default: every sub-folder, sorted.
   */
  classList?: string;
  /** File extensions, case-insensitive. Default jpg, jpeg, png, webp. */
  extensions?: readonly string[];
  /**
   * Leave out images that fail to decode (the batch gets smaller; see
   * `skipped()`) instead of throwing `CORRUPT_DATA`. Default false.
   */
  skipCorrupt?: boolean;
  /** Images decoded at once per `get`. Default 8. */
  concurrency?: number;
}

/** Defaults of {@link loadImageFolder}. */
export const IMAGE_FOLDER_DEFAULTS = Object.freeze({
  size: 224,
  fit: 'cover' as ImageFit,
  kernel: 'linear' as ResizeKernel,
  extensions: Object.freeze(['jpg', 'jpeg', 'png', 'webp']) as readonly string[],
  skipCorrupt: false,
  concurrency: 8,
});

/** An image that could not be decoded and was left out. */
export interface SkippedImage {
  readonly index: number;
  readonly path: string;
  readonly reason: string;
}

/** A {@link Dataset} over an image folder. */
export interface ImageFolderDataset extends Dataset {
  /** Every image path, index = dataset index. */
  readonly files: readonly string[];
  /** Images left out so far because they did not decode (`skipCorrupt`). */
  skipped(): readonly SkippedImage[];
}

async function listClasses(fn: string, root: string, classList: string | undefined): Promise<string[]> {
  if (classList === undefined) {
    const entries = await readdir(root, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  if (!(await exists(classList))) throw notFoundError(fn, 'classList', 'an existing file', classList);
  const classes = parseNameList(await readFile(classList, 'utf8'));
  if (classes.length === 0) {
    throw argumentError('INVALID_ARGUMENT', fn, 'classList', 'a file listing at least one class', `'${classList}' lists none`);
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
  assertOneOf(fn, 'fit', o.fit, ['cover', 'fill']);
  assertOneOf(fn, 'kernel', o.kernel, ['nearest', 'linear', 'cubic', 'lanczos3']);
  assertInteger(fn, 'concurrency', o.concurrency, 1);
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
  const pixels = height * width * 3;
  const skipped = new Map<number, SkippedImage>();

  const decode = async (index: number): Promise<Buffer> => {
    const path = files[index]!;
    let data: Buffer;
    let info: sharp.OutputInfo;
    try {
      ({ data, info } = await sharp(path)
        .removeAlpha()
        .toColourspace('srgb')
        .resize({ width, height, fit: o.fit, position: 'centre', kernel: o.kernel })
        .raw()
        .toBuffer({ resolveWithObject: true }));
    } catch (error) {
      const message = (error as Error).message;
      if (/missing|ENOENT/.test(message) && !(await exists(path))) {
        throw notFoundError(fn, 'root', 'an existing image file', path);
      }
      throw corruptDataError(fn, path, `cannot decode image (${message})`, index);
    }
    if (info.channels !== 3 || info.width !== width || info.height !== height || data.length !== pixels) {
      throw corruptDataError(fn, path, `decoded to ${info.width}x${info.height}x${info.channels}`, index);
    }
    return data;
  };

  const name = `image-folder:${dir}`;
  return {
    name,
    length: files.length,
    numClasses: classes.length,
    classNames: classes,
    imageShape: [height, width, 3],
    files,
    skipped: () => [...skipped.values()],
    async get(indices: ArrayLike<number>): Promise<ImageBatch> {
      checkIndices(`${fn}.get`, indices, files.length);
      const n = indices.length;
      const decoded: (Buffer | undefined)[] = new Array(n);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < n) {
          const i = next++;
          const index = indices[i]!;
          if (skipped.has(index)) continue;
          try {
            decoded[i] = await decode(index);
          } catch (error) {
            const corrupt = (error as { code?: string }).code === 'CORRUPT_DATA';
            if (!o.skipCorrupt || !corrupt) throw error;
            skipped.set(index, { index, path: files[index]!, reason: (error as Error).message });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(o.concurrency, n) }, worker));
      const kept: number[] = [];
      for (let i = 0; i < n; i++) if (decoded[i] !== undefined) kept.push(i);
      const images = new Uint8Array(kept.length * pixels);
      const labels = new Int32Array(kept.length);
      const outIndices = new Int32Array(kept.length);
      kept.forEach((i, k) => {
        images.set(decoded[i]!, k * pixels);
        labels[k] = labelArray[indices[i]!]!;
        outIndices[k] = indices[i]!;
      });
      return { images, labels, indices: outIndices, shape: [kept.length, height, width, 3] };
    },
    async labels(): Promise<Int32Array> {
      return labelArray.slice();
    },
  };
}
