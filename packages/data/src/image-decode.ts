/**
 * The sharp pipelines of an ImageFolder, one libuv thread-pool task each:
 * the evaluation decode (torchvision `Resize(r)` + `CenterCrop(h, w)`, or a
 * plain stretch), and the training decode: the file decoded once to RGB
 * (its views are cut by `crop-workers.ts`; the extract-and-resize pipeline
 * here serves the `'nearest'` kernel only).
 *
 * Resampling: sharp's `'linear'` kernel (a triangle filter widened when
 * shrinking) is the one closest to PIL's `BILINEAR`, which torchvision's
 * `Resize` and `RandomResizedCrop` use on PIL images; it is the default.
 * EXIF orientation is ignored, as PIL does in torchvision.
 *
 * Files are read whole with `fs.readFile` and handed to sharp as a buffer:
 * on the development machine that took about 10 % less CPU per image than
 * sharp opening the path itself (tools/bench `image-folder-cpu.ts`), and the
 * evaluation decode reads the file once for its header and its pixels.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { CropBox } from '@contrastive/augment';

/** Resampling kernel (sharp names). */
export type ResizeKernel = 'nearest' | 'linear' | 'cubic' | 'lanczos3';

/** An image decoded to packed RGB, row-major. */
export interface RgbImage {
  readonly data: Buffer;
  readonly height: number;
  readonly width: number;
}

/** Decodes a whole file to RGB (greyscale expanded, alpha dropped, CMYK converted). */
export async function decodeRgb(path: string): Promise<RgbImage> {
  const { data, info } = await sharp(await readFile(path)).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
  return { data, height: info.height, width: info.width };
}

/**
 * One RandomResizedCrop view: `box` cut from `image` and resized to
 * `[height, width]` (stretched, as torchvision does), in one pipeline.
 * Returns `height * width * 3` bytes.
 */
export async function cropAndResize(
  image: RgbImage,
  box: CropBox,
  size: readonly [number, number],
  kernel: ResizeKernel,
): Promise<Buffer> {
  const [height, width] = size;
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract({ left: box.left, top: box.top, width: box.width, height: box.height })
    .resize({ width, height, fit: 'fill', kernel })
    .raw()
    .toBuffer();
}

/**
 * torchvision's `Resize(resize)` then `CenterCrop([height, width])` geometry:
 * the shorter side becomes `resize`, the longer `floor(resize * long / short)`;
 * the crop starts at `round((resized - crop) / 2)` (Python's round).
 */
export function resizeCenterCropGeometry(
  sourceHeight: number,
  sourceWidth: number,
  resize: number,
  crop: readonly [number, number],
): { resizedHeight: number; resizedWidth: number; top: number; left: number } {
  const [resizedHeight, resizedWidth] =
    sourceHeight <= sourceWidth
      ? [resize, Math.floor((resize * sourceWidth) / sourceHeight)]
      : [Math.floor((resize * sourceHeight) / sourceWidth), resize];
  const offset = (resized: number, size: number): number => {
    const x = (resized - size) / 2;
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  };
  return { resizedHeight, resizedWidth, top: offset(resizedHeight, crop[0]), left: offset(resizedWidth, crop[1]) };
}

/** {@link resizeCenterCropGeometry}, throwing when the crop does not fit the resized image. */
export function centreCropGeometry(
  sourceHeight: number,
  sourceWidth: number,
  resize: number,
  crop: readonly [number, number],
): ReturnType<typeof resizeCenterCropGeometry> {
  const g = resizeCenterCropGeometry(sourceHeight, sourceWidth, resize, crop);
  if (g.top < 0 || g.left < 0) {
    throw new Error(`Resize(${resize}) gives ${g.resizedWidth}x${g.resizedHeight}, smaller than the ${crop[1]}x${crop[0]} crop`);
  }
  return g;
}

/**
 * The evaluation decode of one file to `[height, width, 3]`:
 * `resize` given: `Resize(resize)` + `CenterCrop([height, width])` with
 * torchvision's arithmetic ({@link resizeCenterCropGeometry}; the size is
 * read from the header first); else sharp's `fit` (`'cover'`: the shorter
 * side scaled to the output, centre cut; `'fill'`: stretched).
 */
export async function decodeResized(
  path: string,
  options: { height: number; width: number; resize?: number; fit: 'cover' | 'fill'; kernel: ResizeKernel },
): Promise<Buffer> {
  const { height, width, resize, fit, kernel } = options;
  const file = await readFile(path);
  const pipeline = sharp(file).removeAlpha().toColourspace('srgb');
  if (resize === undefined) {
    return pipeline.resize({ width, height, fit, position: 'centre', kernel }).raw().toBuffer();
  }
  const meta = await sharp(file).metadata();
  if (meta.width === undefined || meta.height === undefined) throw new Error('no image size in the header');
  const g = centreCropGeometry(meta.height, meta.width, resize, [height, width]);
  return pipeline
    .resize({ width: g.resizedWidth, height: g.resizedHeight, fit: 'fill', kernel })
    .extract({ left: g.left, top: g.top, width, height })
    .raw()
    .toBuffer();
}
