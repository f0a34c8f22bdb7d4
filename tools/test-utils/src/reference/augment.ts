/**
 * Float64 references of the torchvision image ops, written from torchvision's
 * functional semantics (transforms/functional_tensor.py), on NHWC arrays.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng, type Rng } from '@contrastive/core';
import { closenessError, type Tolerance } from '../close';

/** A batch of images in NHWC order, float64. */
export interface ImageBatch {
  n: number;
  h: number;
  w: number;
  c: number;
  data: Float64Array;
}

export function imageBatch(n: number, h: number, w: number, c: number, fill: (i: number) => number): ImageBatch {
  return { n, h, w, c, data: Float64Array.from({ length: n * h * w * c }, (_, i) => fill(i)) };
}

const at = (x: ImageBatch, b: number, y: number, xx: number, ch: number): number =>
  x.data[((b * x.h + y) * x.w + xx) * x.c + ch]!;

function map(x: ImageBatch, f: (v: number, b: number, ch: number) => number): ImageBatch {
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    const ch = i % x.c;
    const b = Math.floor(i / (x.h * x.w * x.c));
    out[i] = f(x.data[i]!, b, ch);
  }
  return { ...x, data: out };
}

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));
export const LUMA = [0.299, 0.587, 0.114] as const;

/** Gray value of pixel (b, y, x). */
function luma(x: ImageBatch, b: number, y: number, xx: number): number {
  if (x.c === 1) return at(x, b, y, xx, 0);
  return LUMA[0] * at(x, b, y, xx, 0) + LUMA[1] * at(x, b, y, xx, 1) + LUMA[2] * at(x, b, y, xx, 2);
}

export function refGrayscale(x: ImageBatch, channels: 1 | 3): ImageBatch {
  const out = new Float64Array(x.n * x.h * x.w * channels);
  let k = 0;
  for (let b = 0; b < x.n; b++)
    for (let y = 0; y < x.h; y++)
      for (let xx = 0; xx < x.w; xx++) {
        const g = luma(x, b, y, xx);
        for (let ch = 0; ch < channels; ch++) out[k++] = g;
      }
  return { n: x.n, h: x.h, w: x.w, c: channels, data: out };
}

/** `adjust_brightness`: clamp(f x). */
export function refBrightness(x: ImageBatch, f: readonly number[]): ImageBatch {
  return map(x, (v, b) => clamp01(f[b]! * v));
}

/** `adjust_contrast`: clamp(f x + (1 - f) mean(gray(x))). */
export function refContrast(x: ImageBatch, f: readonly number[]): ImageBatch {
  const means: number[] = [];
  for (let b = 0; b < x.n; b++) {
    let s = 0;
    for (let y = 0; y < x.h; y++) for (let xx = 0; xx < x.w; xx++) s += luma(x, b, y, xx);
    means.push(s / (x.h * x.w));
  }
  return map(x, (v, b) => clamp01(f[b]! * v + (1 - f[b]!) * means[b]!));
}

/** `adjust_saturation`: clamp(f x + (1 - f) gray(x)); identity for one channel. */
export function refSaturation(x: ImageBatch, f: readonly number[]): ImageBatch {
  if (x.c === 1) return { ...x, data: x.data.slice() };
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i += 3) {
    const b = Math.floor(i / (x.h * x.w * 3));
    const g = LUMA[0] * x.data[i]! + LUMA[1] * x.data[i + 1]! + LUMA[2] * x.data[i + 2]!;
    for (let ch = 0; ch < 3; ch++) out[i + ch] = clamp01(f[b]! * x.data[i + ch]! + (1 - f[b]!) * g);
  }
  return { ...x, data: out };
}

/** torchvision `_rgb2hsv` for one pixel; h, s, v in [0, 1]. */
export function rgbToHsv(r: number, g: number, b: number): [number, number, number] {
  const maxc = Math.max(r, g, b);
  const minc = Math.min(r, g, b);
  const eqc = maxc === minc;
  const cr = maxc - minc;
  const s = cr / (eqc ? 1 : maxc);
  const div = eqc ? 1 : cr;
  const rc = (maxc - r) / div;
  const gc = (maxc - g) / div;
  const bc = (maxc - b) / div;
  const hr = maxc === r ? bc - gc : 0;
  const hg = maxc === g && maxc !== r ? 2 + rc - bc : 0;
  const hb = maxc !== g && maxc !== r ? 4 + gc - rc : 0;
  const h = ((((hr + hg + hb) / 6 + 1) % 1) + 1) % 1;
  return [h, s, maxc];
}

/** torchvision `_hsv2rgb` for one pixel (the sector table). */
export function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const i0 = Math.floor(h * 6);
  const f = h * 6 - i0;
  const i = ((i0 % 6) + 6) % 6;
  const p = clamp01(v * (1 - s));
  const q = clamp01(v * (1 - s * f));
  const t = clamp01(v * (1 - s * (1 - f)));
  const table: [number, number, number][] = [
    [v, t, p],
    [q, v, p],
    [p, v, t],
    [p, q, v],
    [t, p, v],
    [v, p, q],
  ];
  return table[i]!;
}

/** `adjust_hue`: h -> (h + f) mod 1 in HSV. Identity for one channel. */
export function refHue(x: ImageBatch, f: readonly number[]): ImageBatch {
  if (x.c === 1) return { ...x, data: x.data.slice() };
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i += 3) {
    const b = Math.floor(i / (x.h * x.w * 3));
    const [h, s, v] = rgbToHsv(x.data[i]!, x.data[i + 1]!, x.data[i + 2]!);
    const shifted = (((h + f[b]!) % 1) + 1) % 1;
    out.set(hsvToRgb(shifted, s, v), i);
  }
  return { ...x, data: out };
}

export type RefJitterOp = 'brightness' | 'contrast' | 'saturation' | 'hue';
export interface RefJitterParams {
  order: readonly RefJitterOp[];
  brightness: number | null;
  contrast: number | null;
  saturation: number | null;
  hue: number | null;
}

/** ColorJitter with given parameters per image (null entry: image untouched). */
export function refColorJitter(x: ImageBatch, params: readonly (RefJitterParams | null)[]): ImageBatch {
  const size = x.h * x.w * x.c;
  const out = new Float64Array(x.data.length);
  params.forEach((q, b) => {
    let img: ImageBatch = { n: 1, h: x.h, w: x.w, c: x.c, data: x.data.slice(b * size, (b + 1) * size) };
    if (q !== null) {
      for (const op of q.order) {
        const f = q[op];
        if (f === null) continue;
        if (op === 'brightness') img = refBrightness(img, [f]);
        if (op === 'contrast') img = refContrast(img, [f]);
        if (op === 'saturation') img = refSaturation(img, [f]);
        if (op === 'hue') img = refHue(img, [f]);
      }
    }
    out.set(img.data, b * size);
  });
  return { ...x, data: out };
}

/**
 * Bilinear sample of image b at (py, px), half-pixel convention, clamping the
 * position to rows lo..hi and columns left..right (torch's interpolate with
 * align_corners=False on the cropped image).
 */
function bilinear(
  x: ImageBatch,
  b: number,
  py: number,
  px: number,
  bounds: [number, number, number, number],
  ch: number,
): number {
  const [lo, hi, left, right] = bounds;
  const y = Math.min(Math.max(py, lo), hi);
  const xx = Math.min(Math.max(px, left), right);
  const y0 = Math.floor(y);
  const x0 = Math.floor(xx);
  const y1 = Math.min(y0 + 1, hi);
  const x1 = Math.min(x0 + 1, right);
  const ly = y - y0;
  const lx = xx - x0;
  const top = at(x, b, y0, x0, ch) * (1 - lx) + at(x, b, y0, x1, ch) * lx;
  const bottom = at(x, b, y1, x0, ch) * (1 - lx) + at(x, b, y1, x1, ch) * lx;
  return top * (1 - ly) + bottom * ly;
}

export interface RefBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/**
 * `resized_crop` (crop, then bilinear resize, no antialias) per image.
 * edge 'crop' clamps sample positions to the crop (torchvision); edge 'image'
 * clamps them to the whole image (what a single cropAndResize does).
 */
export function refResizedCrop(
  x: ImageBatch,
  boxes: readonly RefBox[],
  size: [number, number],
  options: { flip?: readonly boolean[]; edge?: 'crop' | 'image' } = {},
): ImageBatch {
  const [oh, ow] = size;
  const out = new Float64Array(x.n * oh * ow * x.c);
  let k = 0;
  for (let b = 0; b < x.n; b++) {
    const box = boxes[b]!;
    const bounds: [number, number, number, number] =
      options.edge === 'image'
        ? [0, x.h - 1, 0, x.w - 1]
        : [box.top, box.top + box.height - 1, box.left, box.left + box.width - 1];
    const sy = box.height / oh;
    const sx = box.width / ow;
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        const col = options.flip?.[b] === true ? ow - 1 - xx : xx;
        const py = box.top + (y + 0.5) * sy - 0.5;
        const px = box.left + (col + 0.5) * sx - 0.5;
        for (let ch = 0; ch < x.c; ch++) out[k++] = bilinear(x, b, py, px, bounds, ch);
      }
    }
  }
  return { n: x.n, h: oh, w: ow, c: x.c, data: out };
}

/** torchvision `Resize(size)` (bilinear, no antialias) then `CenterCrop(crop)`. */
export function refResizeCenterCrop(x: ImageBatch, resize: [number, number], crop: [number, number]): ImageBatch {
  const full: RefBox = { top: 0, left: 0, height: x.h, width: x.w };
  const resized = refResizedCrop(x, new Array(x.n).fill(full), resize);
  const pyRound = (v: number): number => {
    const r = Math.round(v);
    return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  };
  const top = pyRound((resize[0] - crop[0]) / 2);
  const left = pyRound((resize[1] - crop[1]) / 2);
  const out = new Float64Array(x.n * crop[0] * crop[1] * x.c);
  let k = 0;
  for (let b = 0; b < x.n; b++)
    for (let y = 0; y < crop[0]; y++)
      for (let xx = 0; xx < crop[1]; xx++)
        for (let ch = 0; ch < x.c; ch++) out[k++] = at(resized, b, y + top, xx + left, ch);
  return { n: x.n, h: crop[0], w: crop[1], c: x.c, data: out };
}

/** `gaussian_blur` with kernel size k and one sigma per image; reflect padding. */
export function refGaussianBlur(x: ImageBatch, sigmas: readonly number[], k: number): ImageBatch {
  const r = (k - 1) / 2;
  const reflect = (i: number, n: number): number => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
  const out = new Float64Array(x.data.length);
  let idx = 0;
  for (let b = 0; b < x.n; b++) {
    const pdf = Array.from({ length: k }, (_, i) => Math.exp(-0.5 * ((i - r) / sigmas[b]!) ** 2));
    const total = pdf.reduce((a, v) => a + v, 0);
    const kernel = pdf.map((v) => v / total);
    for (let y = 0; y < x.h; y++)
      for (let xx = 0; xx < x.w; xx++)
        for (let ch = 0; ch < x.c; ch++) {
          let s = 0;
          for (let i = 0; i < k; i++)
            for (let j = 0; j < k; j++)
              s += kernel[i]! * kernel[j]! * at(x, b, reflect(y + i - r, x.h), reflect(xx + j - r, x.w), ch);
          out[idx++] = s;
        }
  }
  return { ...x, data: out };
}

export function refSolarize(x: ImageBatch, threshold: number): ImageBatch {
  return map(x, (v) => (v >= threshold ? 1 - v : v));
}

export function refNormalize(x: ImageBatch, mean: readonly number[], std: readonly number[]): ImageBatch {
  return map(x, (v, _b, ch) => (v - mean[ch]!) / std[ch]!);
}

export function refFlip(x: ImageBatch, flags: readonly boolean[]): ImageBatch {
  const out = new Float64Array(x.data.length);
  let k = 0;
  for (let b = 0; b < x.n; b++)
    for (let y = 0; y < x.h; y++)
      for (let xx = 0; xx < x.w; xx++)
        for (let ch = 0; ch < x.c; ch++) out[k++] = at(x, b, y, flags[b] ? x.w - 1 - xx : xx, ch);
  return { ...x, data: out };
}

/** torchvision `RandomResizedCrop.get_params` driven by an Rng (same draw order as the library). */
export function refCropParams(
  height: number,
  width: number,
  rng: Rng,
  scale: [number, number],
  ratio: [number, number],
): RefBox {
  const pyRound = (v: number): number => {
    const r = Math.round(v);
    return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  };
  const area = height * width;
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(Math.log(ratio[0]), Math.log(ratio[1])));
    const w = pyRound(Math.sqrt(target * aspect));
    const h = pyRound(Math.sqrt(target / aspect));
    if (0 < w && w <= width && 0 < h && h <= height) {
      const top = rng.int(height - h + 1);
      const left = rng.int(width - w + 1);
      return { top, left, height: h, width: w };
    }
  }
  const inRatio = width / height;
  let w: number;
  let h: number;
  if (inRatio < Math.min(...ratio)) {
    w = width;
    h = pyRound(w / Math.min(...ratio));
  } else if (inRatio > Math.max(...ratio)) {
    h = height;
    w = pyRound(h * Math.max(...ratio));
  } else {
    w = width;
    h = height;
  }
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

/** Uniform [0, 1) pixels from a seed, rounded to float32 so tfjs sees the same values. */
export function randomBatch(seed: number, n: number, h: number, w: number, c: number): ImageBatch {
  const rng = createRng(seed);
  return imageBatch(n, h, w, c, () => Math.fround(rng.next()));
}

/** A float32 tfjs tensor of the batch. */
export function batchToTensor(x: ImageBatch): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from(x.data), [x.n, x.h, x.w, x.c]);
}

/** Asserts shape, dtype, then values of `actual` against the reference (reads back with data()). */
export async function expectBatchClose(actual: tf.Tensor, expected: ImageBatch, tolerance: Tolerance = {}): Promise<void> {
  const want = [expected.n, expected.h, expected.w, expected.c];
  if (actual.shape.join(',') !== want.join(',')) {
    throw new Error(`shape mismatch: actual [${actual.shape}] vs expected [${want}]`);
  }
  if (actual.dtype !== 'float32') throw new Error(`dtype ${actual.dtype}, expected float32`);
  const message = closenessError(await actual.data(), expected.data, tolerance);
  if (message !== undefined) throw new Error(message);
}
