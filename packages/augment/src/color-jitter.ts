/**
 * torchvision `ColorJitter` (optionally inside `RandomApply(p)`), batched:
 * per sample a random order of the four adjustments and a random factor for
 * each, drawn as torchvision draws them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { argumentError } from '@contrastive/core';
import { applyAffineStage, identityStage } from './color-affine';
import { hueShift } from './adjust-hue';
import { toRng, type RandomSource } from './random-source';
import { applyToSubset, takeRows } from './subset';
import { assertImages, assertProbability, assertRange } from './validate';

/** Strength `s` means the range [max(0, 1 - s), 1 + s]; a pair is the range itself. */
export type JitterStrength = number | readonly [number, number];

export interface ColorJitterOptions {
  /** Brightness strength or factor range. Default 0 (off). MoCo/SimCLR-CIFAR: 0.4; SimCLR: 0.8. */
  brightness?: JitterStrength;
  /** Contrast strength or factor range. Default 0 (off). */
  contrast?: JitterStrength;
  /** Saturation strength or factor range. Default 0 (off). */
  saturation?: JitterStrength;
  /** Hue strength h in [0, 0.5] (range [-h, h]) or a range inside [-0.5, 0.5]. Default 0 (off). */
  hue?: JitterStrength;
  /** Probability of jittering each image (torchvision RandomApply). Default 1. MoCo v2/SimCLR: 0.8. */
  p?: number;
}

export const COLOR_JITTER_DEFAULTS = Object.freeze({ brightness: 0, contrast: 0, saturation: 0, hue: 0, p: 1 });

/** The adjustments in torchvision's `fn_idx` numbering. */
export type JitterOp = 'brightness' | 'contrast' | 'saturation' | 'hue';
const OPS: readonly JitterOp[] = ['brightness', 'contrast', 'saturation', 'hue'];

/** The drawn parameters of one image; `null` factors are skipped ops. */
export interface JitterParams {
  order: readonly JitterOp[];
  brightness: number | null;
  contrast: number | null;
  saturation: number | null;
  hue: number | null;
}

function toRange(fn: string, name: JitterOp, value: JitterStrength): [number, number] | null {
  if (typeof value === 'number') {
    const max = name === 'hue' ? 0.5 : Infinity;
    if (!Number.isFinite(value) || value < 0 || value > max) {
      throw argumentError('OUT_OF_RANGE', fn, name, `a number in [0, ${max}] or a range`, String(value));
    }
    if (value === 0) return null;
    return name === 'hue' ? [-value, value] : [Math.max(0, 1 - value), 1 + value];
  }
  assertRange(fn, name, value, name === 'hue' ? { min: -0.5, max: 0.5 } : { min: 0 });
  const identity = name === 'hue' ? 0 : 1;
  return value[0] === identity && value[1] === identity ? null : [value[0], value[1]];
}

/** Draws per-sample parameters (`null` for an image that RandomApply skips). */
export function sampleColorJitter(
  batch: number,
  random: RandomSource,
  options: ColorJitterOptions,
): (JitterParams | null)[] {
  const fn = 'colorJitter';
  const p = options.p ?? COLOR_JITTER_DEFAULTS.p;
  assertProbability(fn, 'p', p);
  const ranges = OPS.map((op) => toRange(fn, op, options[op] ?? COLOR_JITTER_DEFAULTS[op]));
  const rng = toRng(fn, random);
  const out: (JitterParams | null)[] = [];
  for (let b = 0; b < batch; b++) {
    if (!(rng.next() < p)) {
      out.push(null);
      continue;
    }
    const order = Array.from(rng.permutation(4), (i) => OPS[i]!);
    const [br, co, sa, hu] = ranges.map((r) => (r === null ? null : rng.uniform(r[0], r[1])));
    out.push({ order, brightness: br!, contrast: co!, saturation: sa!, hue: hu! });
  }
  return out;
}

/**
 * Applies given jitter parameters: image b gets its adjustments in its own
 * order, each clamped to [0, 1]. Work is done in four slots (slot k applies
 * every image's k-th adjustment): brightness, contrast and saturation as one
 * batched affine colour map, hue only on the images whose k-th op it is (the
 * batch is sorted by hue slot first, so those form one block).
 */
export function applyColorJitter(images: Tensor4D, params: readonly (JitterParams | null)[]): Tensor4D {
  const fn = 'applyColorJitter';
  assertImages(fn, images);
  const [n, , , c] = images.shape;
  if (!Array.isArray(params) || params.length !== n) {
    throw argumentError('SHAPE_MISMATCH', fn, 'params', `one entry per image (${n})`, String(params?.length));
  }
  // Sort the images by the slot of their hue shift (stable), so that in every
  // slot the images to hue-shift are one contiguous block.
  const hueSlot = params.map((q) => (q === null || q.hue === null || c !== 3 ? 4 : q.order.indexOf('hue')));
  const order = Array.from(params, (_, i) => i).sort((a, b) => hueSlot[a]! - hueSlot[b]! || a - b);
  const inverse = new Array<number>(n);
  order.forEach((src, dst) => (inverse[src] = dst));
  const sorted = order.map((i) => params[i]!);
  return tf.tidy(() => {
    let x = takeRows(images, order);
    for (let slot = 0; slot < 4; slot++) {
      const stage = identityStage(n, true);
      sorted.forEach((q, b) => {
        const op = q?.order[slot];
        const f = q !== null && op !== undefined ? q[op] : null;
        if (f === null || op === 'hue') return;
        // brightness: f x; contrast: f x + (1 - f) mean; saturation: f x + (1 - f) gray
        // (saturation is the identity on one channel, as in torchvision).
        if (op === 'saturation' && c === 1) return;
        stage.scale[b] = f;
        if (op === 'contrast') stage.meanCoefficients[b] = 1 - f;
        if (op === 'saturation') stage.grayWeight[b] = 1 - f;
      });
      x = applyAffineStage(x, stage);
      const start = order.findIndex((i) => hueSlot[i] === slot);
      if (start < 0) continue;
      let end = start;
      while (end < n && hueSlot[order[end]!] === slot) end++;
      const factors = sorted.slice(start, end).map((q) => q!.hue!);
      x = applyToSubset(x, Array.from({ length: n }, (_, b) => b >= start && b < end), (s) => hueShift(s, factors));
    }
    x = takeRows(x, inverse);
    return x === images ? tf.clone(images) : x;
  });
}

/**
 * images: [N, H, W, C] float32 in [0, 1]. Returns [N, H, W, C]. Same
 * semantics as `RandomApply([ColorJitter(b, c, s, h)], p)` per image.
 */
export function colorJitter(images: Tensor4D, random: RandomSource, options: ColorJitterOptions = {}): Tensor4D {
  assertImages('colorJitter', images);
  return applyColorJitter(images, sampleColorJitter(images.shape[0], random, options));
}
