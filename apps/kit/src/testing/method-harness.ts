/**
 * Test harness for the apps' method-equivalence tests (not part of the kit's
 * public API; imported by path from the apps' tests): a method context around
 * a tiny encoder, seeded views and data, gradients of a loss with respect to
 * every registered variable, and an independent key encoder (a second copy
 * of the online encoder, keys shuffled and unshuffled by hand, EMA by hand).
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng, type Rng } from '@contrastive/core';
import { createInMemoryDataset } from '@contrastive/data';
import type { Augmentation } from '@contrastive/augment';
import type { ComposedEncoder } from '@contrastive/encoders';
import { expect } from 'vitest';
import { buildEncoder } from '../build-encoder';
import type { BaseConfig } from '../config-schema';
import type { Method, MethodContext, MethodState } from '../method';
import type { RunData } from '../open-data';

/** Image shape of every harness encoder: 8 x 8 grey (conv-net smoke models). */
export const HARNESS_IMAGE: readonly [number, number, number] = [8, 8, 1];

/** Seed of the harness encoders (online and reference copies). */
const ENCODER_SEED = 3;

/** Deterministic transform of the E-step, on the loader's [0, 1] pixels: (x - 0.5) / 0.25. */
export const toUnit: Augmentation = (images) => tf.tidy(() => tf.div(tf.sub(images, 0.5), 0.25) as tf.Tensor4D);

/** `n` seeded 8 x 8 grey images in 4 classes, as every split of a run's data. */
export function tinyRunData(n: number, seed: number): RunData {
  const rng = createRng(seed);
  const pixels = Uint8Array.from({ length: n * 64 }, () => Math.floor(rng.next() * 256));
  const labels = Int32Array.from({ length: n }, (_, i) => i % 4);
  const dataset = createInMemoryDataset(pixels, labels, [8, 8, 1], { name: 'harness' });
  return { train: dataset, evalTrain: dataset, evalTest: dataset };
}

/** A method context for `config` around a fresh harness encoder. */
export function methodContext<C extends BaseConfig>(config: C, options: { data?: RunData; rngSeed?: number } = {}): MethodContext<C> {
  const encoder = buildEncoder(config.model, HARNESS_IMAGE, ENCODER_SEED);
  return {
    config,
    encoder,
    createEncoder: () => buildEncoder(config.model, HARNESS_IMAGE, ENCODER_SEED),
    data: options.data ?? tinyRunData(16, 1),
    evalTransform: toUnit,
    stepsPerEpoch: 4,
    totalSteps: 8,
    rng: createRng(options.rngSeed ?? 11),
    log: () => undefined,
  };
}

/** `count` seeded views `[batch, 8, 8, 1]` (different per view). */
export function seededViews(count: number, batch: number, seed: number): tf.Tensor4D[] {
  return Array.from({ length: count }, (_, v) => tf.randomNormal([batch, ...HARNESS_IMAGE], 0, 1, 'float32', seed + v) as tf.Tensor4D);
}

/** A generator in the state `rng` is in now (the method's draws can be replayed). */
export function replayOf(rng: Rng): Rng {
  const copy = createRng(0);
  copy.setState(rng.getState());
  return copy;
}

/** The loss `f` and its gradients with respect to every registered variable (null: not connected). */
export function gradientsOfAll(f: () => tf.Scalar): { value: number; grads: Map<tf.Variable, tf.Tensor | null> } {
  const variables = Object.values(tf.engine().registeredVariables);
  const { value, grads } = tf.engine().gradients(f, variables, undefined, true);
  const map = new Map<tf.Variable, tf.Tensor | null>();
  variables.forEach((v, i) => map.set(v, grads[i] ?? null));
  const result = value.dataSync()[0]!;
  value.dispose();
  return { value: result, grads: map };
}

/** The tf.Variables of the encoder's trainable weights, in order. */
export function trainableVariables(encoder: ComposedEncoder): tf.Variable[] {
  return encoder.model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * Compares a method's loss with a reference: equal values and equal
 * gradients for every trainable online weight; every other variable (the key
 * encoder, the queue, BN statistics) gets no gradient at all.
 */
export function expectSameLossAndGradients(
  encoder: ComposedEncoder,
  methodLoss: () => tf.Scalar,
  referenceLoss: () => tf.Scalar,
  tolerance = { atol: 1e-5, rtol: 1e-4 },
): number {
  const online = trainableVariables(encoder);
  const method = gradientsOfAll(methodLoss);
  const reference = tf.engine().gradients(referenceLoss, online, undefined, true);
  const expected = reference.value.dataSync()[0]!;
  expect(method.value).toBeCloseTo(expected, 5);
  expect(Math.abs(method.value - expected)).toBeLessThanOrEqual(tolerance.atol + tolerance.rtol * Math.abs(expected));
  online.forEach((v, i) => {
    const got = method.grads.get(v);
    const want = reference.grads[i];
    expect(got, `gradient of ${v.name}`).toBeTruthy();
    expect(want, `reference gradient of ${v.name}`).toBeTruthy();
    const scale = Math.max(1e-3, tf.tidy(() => tf.max(tf.abs(want!)).dataSync()[0]!));
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(got!, want!))).dataSync()[0]!);
    expect(diff / scale, `gradient of ${v.name}`).toBeLessThan(1e-3);
  });
  for (const [v, g] of method.grads) {
    if (online.includes(v) || g === null) continue;
    const size = tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]!);
    expect(size, `gradient reaching ${v.name} (not an online trainable weight)`).toBe(0);
  }
  tf.dispose([...method.grads.values()].filter((g): g is tf.Tensor => g !== null));
  tf.dispose([reference.value, ...reference.grads]);
  return method.value;
}

/**
 * Keys of `images` through `model` in train mode, MoCo's single-device
 * shuffle-BN written out: with `order`, row i of the key encoder's input is
 * image order[i], and the output rows are put back so row order[i] is the key
 * of image order[i].
 */
export function referenceKeys(model: ComposedEncoder, images: tf.Tensor4D, order?: Int32Array): tf.Tensor2D {
  return tf.tidy(() => {
    if (order === undefined) return model.forward(images).projections;
    const shuffled = model.forward(tf.gather(images, Array.from(order))).projections;
    const rows = tf.unstack(shuffled);
    const back: tf.Tensor[] = new Array(order.length);
    order.forEach((from, i) => {
      back[from] = rows[i]!;
    });
    return tf.stack(back) as tf.Tensor2D;
  });
}

/** theta_k <- m theta_k + (1 - m) theta_q for every trainable weight (by position), written out. */
export function emaStep(key: ComposedEncoder, online: ComposedEncoder, m: number): void {
  tf.tidy(() => {
    online.model.weights.forEach((w, i) => {
      if (!w.trainable) return;
      const k = key.model.weights[i]!;
      k.write(tf.add(tf.mul(k.read(), m), tf.mul(w.read(), 1 - m)));
    });
  });
}

/** Every weight of `model` equals the matching tensor of `weights` (values, by position). */
export function expectWeightsEqual(model: ComposedEncoder, weights: readonly tf.Tensor[], atol = 1e-6): void {
  expect(weights.length).toBe(model.model.weights.length);
  model.model.weights.forEach((w, i) => {
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(w.read(), weights[i]!))).dataSync()[0]!);
    expect(diff, `weight ${w.originalName}`).toBeLessThanOrEqual(atol);
  });
}

/** Max |a - b|. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** The method's checkpoint state at an epoch boundary. */
export function methodState(method: Method): MethodState {
  // Called through a loose signature: getState takes the checkpoint's position where the kit supports mid-epoch checkpoints.
  return (method.getState as (position?: { inEpoch: boolean }) => MethodState)({ inEpoch: false });
}
