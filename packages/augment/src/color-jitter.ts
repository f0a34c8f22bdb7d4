/**
 * torchvision `ColorJitter` (optionally inside `RandomApply(p)`), batched:
 * per sample a random order of the four adjustments and a random factor for
 * each, drawn as torchvision draws them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { argumentError } from '@contrastive/core';
import { applyAffineStage, identityStage, type AffineStage } from './color-affine';
import { hueShiftMasked } from './adjust-hue';
import { fromStacked, toStacked, type Stacked } from './stacked';
import { toRng, type RandomSource } from './random-source';
import { assertImages, assertProbability, assertRange } from './validate';
import { registerStackedForm } from './stacked-form';

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

/** The affine part of one adjustment as a stage entry of sample b. */
function setAffine(stage: AffineStage, b: number, op: Exclude<JitterOp, 'hue'>, f: number): void {
  // brightness: f x; contrast: f x + (1 - f) mean; saturation: f x + (1 - f) gray.
  stage.scale[b] = f;
  if (op === 'contrast') stage.meanCoefficients[b] = 1 - f;
  if (op === 'saturation') stage.grayWeight[b] = 1 - f;
}

/**
 * Applies given jitter parameters to a stacked batch. Internal; call in tidy.
 *
 * Each image's adjustments are split at its hue shift: the affine ones before
 * it are right-aligned into up to three "before" stages, those after it
 * left-aligned into up to three "after" stages, and one hue stage sits in
 * between. Each stage is a batched per-image affine map (identity, bit for
 * bit, for images with nothing to do in it), so every image sees exactly its
 * own adjustments in its own order, and the expensive hue shift runs once
 * instead of once per slot.
 */
export function applyColorJitterStacked(p: Stacked, params: readonly (JitterParams | null)[]): Stacked {
  const { n, c } = p;
  const hasHue = params.map((q) => q !== null && q.hue !== null && c === 3);
  const before: { op: Exclude<JitterOp, 'hue'>; f: number }[][] = [];
  const after: { op: Exclude<JitterOp, 'hue'>; f: number }[][] = [];
  params.forEach((q, b) => {
    const ops = (q?.order ?? []).filter((op) => q![op] !== null && !(op === 'saturation' && c === 1));
    const split = hasHue[b] ? ops.indexOf('hue') : ops.length;
    const affine = (list: readonly JitterOp[]) =>
      list.filter((op): op is Exclude<JitterOp, 'hue'> => op !== 'hue').map((op) => ({ op, f: q![op]! }));
    before.push(affine(ops.slice(0, split)));
    after.push(affine(ops.slice(split + 1)));
  });
  const stages = (lists: typeof before, rightAlign: boolean): AffineStage[] => {
    const count = Math.max(0, ...lists.map((l) => l.length));
    return Array.from({ length: count }, (_, slot) => {
      const stage = identityStage(n, true);
      lists.forEach((list, b) => {
        const entry = list[rightAlign ? slot - (count - list.length) : slot];
        if (entry !== undefined) setAffine(stage, b, entry.op, entry.f);
      });
      return stage;
    });
  };
  let x = p;
  for (const stage of stages(before, true)) x = applyAffineStage(x, stage);
  x = hueShiftMasked(x, params.map((q, b) => (hasHue[b] ? q!.hue! : 0)), hasHue);
  for (const stage of stages(after, false)) x = applyAffineStage(x, stage);
  return x;
}

/**
 * Applies given jitter parameters: image b gets its adjustments in its own
 * order, each clamped to [0, 1] (see {@link applyColorJitterStacked}).
 */
export function applyColorJitter(images: Tensor4D, params: readonly (JitterParams | null)[]): Tensor4D {
  const fn = 'applyColorJitter';
  assertImages(fn, images);
  const n = images.shape[0];
  if (!Array.isArray(params) || params.length !== n) {
    throw argumentError('SHAPE_MISMATCH', fn, 'params', `one entry per image (${n})`, String(params?.length));
  }
  return tf.tidy(() => {
    const p = toStacked(images);
    const out = applyColorJitterStacked(p, params);
    return out === p ? tf.clone(images) : fromStacked(out);
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

registerStackedForm(colorJitter, (options: ColorJitterOptions = {}) => (p, rng) =>
  applyColorJitterStacked(p, sampleColorJitter(p.n, rng, options)),
);
