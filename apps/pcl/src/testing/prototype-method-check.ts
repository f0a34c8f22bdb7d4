/**
 * The PCL-style method check shared by the PCL and PAUC equivalence tests
 * (imported by path; not part of the app's API): a warm-up step whose loss
 * is InfoNCE, then an E-step whose prototypes and concentrations must come
 * from the momentum encoder's features (rebuilt here from an independent
 * key-encoder copy: k-means on its L2-normalised eval-mode projections,
 * PCL's concentrations), then a step whose loss and gradients must equal the
 * reference loss on those clusterings, the queue and the method's generator.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { Method, MethodContext } from '@contrastive/app-kit';
import { kMeansMulti, pclPrototypes } from '@contrastive/cluster';
import { l2Normalize, type Rng } from '@contrastive/core';
import { infoNceLoss } from '@contrastive/loss-infonce';
import type { Clustering } from '@contrastive/loss-protonce';
import {
  emaStep,
  expectSameLossAndGradients,
  expectWeightsEqual,
  methodContext,
  methodState,
  referenceKeys,
  replayOf,
  seededViews,
  tinyRunData,
} from '../../../kit/src/testing/method-harness';
import type { PclConfig } from '../config';

/** What a reference loss gets: everything built here, nothing from the method. */
export interface ReferenceInputs {
  /** Online projections of view 1 (call inside the loss: it runs the online encoder). */
  query(): tf.Tensor2D;
  /** Online projections of view 2 (PAUC's correlation term). */
  query2(): tf.Tensor2D;
  key: tf.Tensor2D;
  negatives: tf.Tensor2D;
  clusterings: Clustering[];
  /** r for this batch: the preset's r capped at k_m minus the batch's distinct positives (spec §2(b)). */
  negativePrototypes: number;
  /** The method's generator as it is before the loss (negative prototypes are drawn from it). */
  rng: Rng;
}

const BATCH = 8;
const IMAGES = 32;

/** Runs the check for a PCL-like method; returns nothing, fails through expect. */
export async function checkPrototypeMethod<C extends PclConfig>(
  config: C,
  createMethod: (context: MethodContext<C>) => Method,
  referenceLoss: (inputs: ReferenceInputs) => tf.Scalar,
): Promise<void> {
  const m = config.method;
  const data = tinyRunData(IMAGES, 7);
  const ctx = methodContext(config, { data });
  const method = createMethod(ctx);
  const keyRef = ctx.createEncoder();
  const optimizer = tf.train.sgd(0.5);
  const indices = Int32Array.from([3, 9, 14, 20, 25, 27, 30, 1]);
  let queue = tf.clone(methodState(method).tensors!['queue']! as tf.Tensor2D);
  let pointer = 0;
  const clusterings: Clustering[] = [];
  const freeClusterings = () => clusterings.splice(0).forEach((c) => tf.dispose([c.prototypes, c.concentration]));

  for (let epoch = m.warmupEpochs - 1; epoch <= m.warmupEpochs; epoch++) {
    await method.beforeEpoch!(epoch);
    if (epoch >= m.warmupEpochs) {
      // The E-step, written out: eval-mode projections of the un-augmented images from the key encoder.
      const { images } = await data.train.get(Array.from({ length: IMAGES }, (_, i) => i));
      const features = tf.tidy(() => {
        // As the loader hands them out: bytes / 255.
        const pixels = tf.div(tf.tensor4d(Float32Array.from(images), [IMAGES, 8, 8, 1]), 255) as tf.Tensor4D;
        return l2Normalize(keyRef.forward(ctx.evalTransform(pixels, { seed: 0 }), { training: false }).projections);
      });
      const results = await kMeansMulti(features, {
        ks: m.numClusters,
        iterations: m.kMeansIterations,
        restarts: m.kMeansRestarts,
        maxPointsPerCentroid: m.maxPointsPerCentroid,
        init: m.kMeansInit,
        seed: 0,
      });
      features.dispose();
      for (const r of results) {
        const p = pclPrototypes(r, { temperature: m.temperature, alpha: m.concentrationAlpha });
        clusterings.push({ prototypes: p.prototypes, concentration: p.concentration, assignment: Int32Array.from(indices, (i) => p.assignment[i]!) });
        r.centroids.dispose();
      }
    }
    const batch = { indices, epoch, step: epoch };
    const views = seededViews(2, BATCH, 700 + epoch);
    const shuffle = replayOf(ctx.rng);
    method.prepare!(views, batch);
    const key = referenceKeys(keyRef, views[1]!, m.shuffleKeys ? shuffle.permutation(BATCH) : undefined);
    const rng = replayOf(ctx.rng);
    const negatives = queue;
    let cap = m.negativePrototypes;
    for (const c of clusterings) cap = Math.min(cap, c.prototypes.shape[0] - new Set(c.assignment).size);
    expectSameLossAndGradients(
      ctx.encoder,
      () => method.loss(views, batch),
      () => {
        const query = () => ctx.encoder.forward(views[0]!).projections;
        // Warm-up: no prototypes, so the loss is MoCo's InfoNCE (spec §2(e)10).
        if (clusterings.length === 0) return infoNceLoss(query(), key, negatives, { temperature: m.temperature });
        return referenceLoss({ query, query2: () => ctx.encoder.forward(views[1]!).projections, key, negatives, clusterings, negativePrototypes: Math.max(cap, 0), rng });
      },
    );
    optimizer.minimize(() => method.loss(views, batch));
    method.afterStep!(batch);
    emaStep(keyRef, ctx.encoder, m.momentum);
    const rows = Array.from({ length: BATCH }, (_, i) => (pointer + i) % m.queueSize);
    queue = tf.tidy(() => tf.tensorScatterUpdate(negatives, tf.tensor2d(rows, [BATCH, 1], 'int32'), l2Normalize(key)) as tf.Tensor2D);
    pointer = (pointer + BATCH) % m.queueSize;
    const state = methodState(method);
    expectWeightsEqual(keyRef, state.weights!['momentum'] as tf.Tensor[], 1e-6);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(state.tensors!['queue']!, queue))).dataSync()[0]!)).toBeLessThan(1e-6);
    tf.dispose([...views, key, negatives]);
  }
  freeClusterings();
  tf.dispose(queue);
  optimizer.dispose();
  method.dispose();
  keyRef.model.dispose();
  ctx.encoder.model.dispose();
}

/**
 * A preset's method section on the harness data: the preset's tau, m, r,
 * k-means and concentration settings; k_m cut to fit 32 images and the
 * warm-up to one epoch (the preset tables check the paper's k and warm-up),
 * the queue to at most 256 rows.
 */
export function onHarnessData(method: Record<string, unknown>): Record<string, unknown> {
  return {
    ...method,
    numClusters: [4, 6],
    warmupEpochs: 1,
    queueSize: Math.min(method['queueSize'] as number, 256),
  };
}
