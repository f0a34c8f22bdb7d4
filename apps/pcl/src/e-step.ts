import * as tf from '@tensorflow/tfjs-core';
import { extractFeatures, projectionFeatures, type MethodContext } from '@contrastive/app-kit';
import { kMeansMulti, pclPrototypes } from '@contrastive/cluster';
import { l2Normalize } from '@contrastive/core';
import type { Clustering } from '@contrastive/loss-protonce';
import type { MomentumEncoder } from '@contrastive/momentum';
import type { Checkpoint } from '@contrastive/train';

/** The E-step settings (the PCL `method` fields it reads). */
export interface EStepOptions {
  temperature: number;
  numClusters: readonly number[];
  warmupEpochs: number;
  kMeansIterations: number;
  kMeansRestarts: number;
  maxPointsPerCentroid: number;
  kMeansInit: 'random' | 'kmeans++';
  concentrationAlpha: number;
  eStepBatchSize: number;
}

/** One clustering of the whole training set: prototypes and phi (tensors) and every sample's cluster. */
interface DatasetClustering {
  prototypes: tf.Tensor2D;
  concentration: tf.Tensor1D;
  assignment: Int32Array;
}

/**
 * PCL's E-step (spec §2(a) "E-step"): at the start of every epoch >=
 * warm-up, features of the un-augmented training images from the momentum
 * encoder (BN in eval mode), L2-normalised; k-means per granularity (seed m
 * for clustering m); concentrations on the unnormalised centroids, then
 * normalised prototypes. The loss looks a batch's clusters up by its dataset
 * indices.
 */
export interface PclEStep {
  /** Runs the E-step for `epoch` (nothing during warm-up, spec §2(e)10). */
  run(epoch: number): Promise<void>;
  /** True once a clustering exists (after warm-up). */
  readonly active: boolean;
  /** The clusterings restricted to the batch's dataset `indices` (empty during warm-up). Tensors are borrowed. */
  batchClusterings(indices: Int32Array): Clustering[];
  /**
   * The current clusterings as checkpoint tensors (`eStep/<m>/prototypes`,
   * `concentration` and `assignment`, int32 `[N]`), for a checkpoint inside
   * an epoch: the epoch's clusters came from the momentum encoder at its
   * start, which a resumed run no longer has. Borrowed until the next call or dispose.
   */
  getState(): Record<string, tf.Tensor>;
  /** Replaces the clusterings with the ones `checkpoint` holds (none: no clustering, as in warm-up). */
  setState(checkpoint: Checkpoint): Promise<void>;
  /** Frees the prototypes and concentrations. */
  dispose(): void;
}

/** The momentum encoder's projections in inference mode, as the kit's Embed. */
function keyProjections(key: MomentumEncoder) {
  return projectionFeatures({
    forward(images, options) {
      const out = key.model.apply(images, { training: options?.training ?? false }) as tf.Tensor[];
      for (const extra of out.slice(2)) extra.dispose();
      return { features: out[0] as tf.Tensor2D, projections: out[1] as tf.Tensor2D };
    },
  });
}

/**
 * Creates the E-step of a run. A checkpoint at an epoch's end holds no
 * clusterings: a run resumed there recomputes them at the start of its next
 * epoch from the restored momentum encoder, with the same seeds, which gives
 * the same clusters. A checkpoint inside an epoch holds them ({@link PclEStep.getState}).
 */
export function createPclEStep(context: MethodContext, key: MomentumEncoder, options: EStepOptions): PclEStep {
  let clusterings: DatasetClustering[] = [];
  let saved: tf.Tensor[] = [];
  const free = () => {
    for (const c of clusterings) tf.dispose([c.prototypes, c.concentration]);
    clusterings = [];
  };
  return {
    get active() {
      return clusterings.length > 0;
    },
    async run(epoch) {
      free();
      if (epoch < options.warmupEpochs) return;
      const started = Date.now();
      const set = await extractFeatures(keyProjections(key), context.data.train, context.evalTransform, options.eStepBatchSize);
      const features = tf.tidy(() => l2Normalize(set.features));
      set.features.dispose();
      try {
        const results = await kMeansMulti(features, {
          ks: options.numClusters,
          iterations: options.kMeansIterations,
          restarts: options.kMeansRestarts,
          maxPointsPerCentroid: options.maxPointsPerCentroid,
          init: options.kMeansInit,
          seed: 0,
        });
        for (const r of results) {
          clusterings.push(pclPrototypes(r, { temperature: options.temperature, alpha: options.concentrationAlpha }));
          r.centroids.dispose();
        }
      } finally {
        features.dispose();
      }
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      context.log(`E-step before epoch ${epoch + 1}: k-means k=${options.numClusters.join('/')} on ${set.labels.length} momentum features (${seconds}s)`);
    },
    batchClusterings(indices) {
      return clusterings.map((c) => ({
        prototypes: c.prototypes,
        concentration: c.concentration,
        assignment: Int32Array.from(indices, (i) => c.assignment[i]!),
      }));
    },
    getState() {
      tf.dispose(saved);
      saved = [];
      const tensors: Record<string, tf.Tensor> = {};
      clusterings.forEach((c, m) => {
        const assignment = tf.tensor1d(c.assignment, 'int32');
        saved.push(assignment);
        tensors[`eStep/${m}/prototypes`] = c.prototypes;
        tensors[`eStep/${m}/concentration`] = c.concentration;
        tensors[`eStep/${m}/assignment`] = assignment;
      });
      return tensors;
    },
    async setState(checkpoint) {
      free();
      for (let m = 0; checkpoint.tensors[`eStep/${m}/prototypes`] !== undefined; m++) {
        const t = (name: string) => checkpoint.tensors[`eStep/${m}/${name}`]!;
        clusterings.push({
          prototypes: tf.clone(t('prototypes')) as tf.Tensor2D,
          concentration: tf.clone(t('concentration')) as tf.Tensor1D,
          assignment: (await t('assignment').data()) as Int32Array,
        });
      }
    },
    dispose() {
      free();
      tf.dispose(saved);
      saved = [];
    },
  };
}

/**
 * r for this batch: the configured r capped at k_m minus the batch's distinct
 * positives for every clustering (spec §2(b): r <= k_min - distinct positives;
 * with small k every non-positive prototype is then a negative).
 */
export function cappedNegatives(r: number, clusterings: readonly Clustering[]): number {
  let cap = r;
  for (const c of clusterings) {
    const distinct = new Set(c.assignment).size;
    cap = Math.min(cap, c.prototypes.shape[0] - distinct);
  }
  return Math.max(cap, 0);
}
