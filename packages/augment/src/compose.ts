/**
 * Building pipelines: an {@link Augmentation} maps a batch and a random
 * source to a new batch. `compose` chains them on one generator, `multiView`
 * draws n independent views, `step` binds an op's options.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { assertInteger, argumentError, type Rng } from '@contrastive/core';
import { fromStacked, toStacked, type Stacked } from './stacked';
import { entryFormOf, stackedFormOf, withStackedForm } from './stacked-form';
import { sharePadding } from './edge-pad';
import { toRng, type RandomSource } from './random-source';
import { assertImages } from './validate';

/** images [N, H, W, C] float32 -> [N, H', W', C'] (a new tensor owned by the caller). */
export type Augmentation = (images: Tensor4D, random: RandomSource) => Tensor4D;

/** Several views of a batch, e.g. SimCLR's two or multi-crop's 2 + k. */
export type MultiViewAugmentation = (images: Tensor4D, random: RandomSource) => Tensor4D[];

/** One step of a pipeline as data: the op bound by `step`/`fixed` (its function name) and its options. */
export interface AugmentStep {
  readonly op: string;
  readonly options: unknown;
}

const descriptions = new WeakMap<Augmentation, readonly AugmentStep[]>();

function described(augmentation: Augmentation, steps: readonly AugmentStep[]): Augmentation {
  descriptions.set(augmentation, Object.freeze(steps));
  return augmentation;
}

/**
 * The steps of a pipeline built with `step`, `fixed` and `compose`, in the
 * order they run, read from the pipeline itself; undefined when any part was
 * written by hand.
 */
export function describeAugmentation(augmentation: Augmentation): readonly AugmentStep[] | undefined {
  return descriptions.get(augmentation);
}

/** Binds options to a random op: `step(colorJitter, { brightness: 0.4 })`. */
export function step<O>(op: (images: Tensor4D, random: RandomSource, options: O) => Tensor4D, options: O): Augmentation {
  return described(withStackedForm((images, random) => op(images, random, options), op, options), [{ op: op.name, options }]);
}

/** Binds options to a deterministic op: `fixed(normalize, CIFAR10_NORMALIZATION)`. */
export function fixed<O>(op: (images: Tensor4D, options: O) => Tensor4D, options: O): Augmentation {
  return described(withStackedForm((images) => op(images, options), op, options), [{ op: op.name, options }]);
}

/**
 * Applies `steps` in order, all drawing from one generator; intermediates are
 * freed. Consecutive steps that have a stacked form (colour jitter, grayscale,
 * blur, solarize, horizontal flip, normalise, bound with `step`/`fixed`) run on
 * one stacked copy of the batch (see `stacked.ts`), with the same draws and,
 * up to float32 rounding, the same results as the steps one by one; a random
 * resized crop followed by such a step writes the stacked layout directly.
 */
export function compose(steps: readonly Augmentation[]): Augmentation {
  if (!Array.isArray(steps) || !steps.every((s) => typeof s === 'function')) {
    throw argumentError('INVALID_ARGUMENT', 'compose', 'steps', 'an array of augmentations', typeof steps);
  }
  const composed: Augmentation = (images, random) => {
    const rng: Rng = toRng('compose', random);
    return tf.tidy(() => {
      let x = images;
      let stacked: Stacked | null = null;
      for (let i = 0; i < steps.length; i++) {
        const s = steps[i]!;
        const form = stackedFormOf(s);
        if (form === undefined) {
          if (stacked !== null) x = fromStacked(stacked);
          stacked = null;
          const entry = entryFormOf(s);
          const next = steps[i + 1];
          if (entry !== undefined && next !== undefined && stackedFormOf(next) !== undefined) stacked = entry(x, rng);
          else x = s(x, rng);
          continue;
        }
        if (stacked === null) {
          assertImages('compose', x);
          stacked = toStacked(x);
        }
        stacked = form(stacked, rng);
      }
      if (stacked !== null) x = fromStacked(stacked);
      return x === images ? (tf.clone(images) as Tensor4D) : x;
    });
  };
  const parts = steps.map(describeAugmentation);
  return parts.every((p) => p !== undefined) ? described(composed, parts.flat()) : composed;
}

/** n views of the same batch, each an independent draw of `augmentation` (crops share the padded source). */
export function multiView(augmentation: Augmentation, n = 2): MultiViewAugmentation {
  assertInteger('multiView', 'n', n, 1);
  return (images, random) => {
    const rng = toRng('multiView', random);
    const views: Tensor4D[] = [];
    try {
      sharePadding(() => {
        for (let v = 0; v < n; v++) views.push(augmentation(images, rng));
      });
    } catch (error) {
      views.forEach((t) => t.dispose());
      throw error;
    }
    return views;
  };
}
