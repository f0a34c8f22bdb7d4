/**
 * A stateful k-means model: `fit` (the one mutation) runs {@link kMeans} and
 * keeps the centroids; `assign` maps new rows to them; `getState`/`setState`
 * save and restore the centroids as plain arrays for checkpoints.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { argumentError, ContrastiveError } from '@contrastive/core';
import { assignToCentroids, type Assignment } from './assign-to-centroids';
import { kMeans, validateKMeansOptions, type KMeansOptions, type KMeansResult } from './k-means';

/** Saved centroids: row-major float32 values of shape [k, d]. */
export interface KMeansState {
  k: number;
  d: number;
  centroids: number[];
}

export interface KMeansModel {
  readonly k: number;
  /** True after a fit or a setState. */
  readonly fitted: boolean;
  /** Fits on `features` ([N, d], borrowed) and keeps the centroids; returns the result without centroids. */
  fit(features: Tensor2D): Promise<Omit<KMeansResult, 'centroids'>>;
  /** A copy of the centroids [k, d] (caller disposes). */
  centroids(): Tensor2D;
  /** Nearest kept centroid of every row of `features`. */
  assign(features: Tensor2D): Promise<Assignment>;
  getState(): Promise<KMeansState>;
  setState(state: KMeansState): void;
  /** Frees the centroids; later calls throw DISPOSED. */
  dispose(): void;
}

/**
 * @example
 * const model = createKMeans({ k: 100, restarts: 3 });
 * await model.fit(trainFeatures);
 * const { assignment } = await model.assign(testFeatures);
 * model.dispose();
 */
export function createKMeans(options: KMeansOptions): KMeansModel {
  const fn = 'createKMeans';
  // Option ranges are checked once here against a 1-row placeholder shape.
  validateKMeansOptions(fn, { rank: 2, dtype: 'float32', shape: [options.k, 1] } as unknown as Tensor2D, {
    ...options,
    init: typeof options.init === 'string' || options.init === undefined ? options.init : 'kmeans++',
  });
  let kept: Tensor2D | undefined;
  let disposed = false;
  const live = (method: string): void => {
    if (disposed) throw new ContrastiveError('DISPOSED', `KMeansModel.${method}: the model was disposed`, { fn: `KMeansModel.${method}` });
  };
  const fitted = (method: string): Tensor2D => {
    live(method);
    if (kept === undefined) {
      throw argumentError('INVALID_ARGUMENT', `KMeansModel.${method}`, 'model', 'fitted (call fit or setState first)', 'an unfitted model');
    }
    return kept;
  };
  return {
    k: options.k,
    get fitted() {
      return kept !== undefined;
    },
    async fit(features) {
      live('fit');
      const { centroids, ...rest } = await kMeans(features, options);
      kept?.dispose();
      kept = centroids;
      return rest;
    },
    centroids: () => tf.clone(fitted('centroids')),
    assign: (features) => assignToCentroids(features, fitted('assign')),
    async getState() {
      const c = fitted('getState');
      return { k: c.shape[0], d: c.shape[1], centroids: Array.from(await c.data()) };
    },
    setState(state) {
      live('setState');
      const ok =
        state !== null &&
        typeof state === 'object' &&
        state.k === options.k &&
        Number.isInteger(state.d) &&
        state.d > 0 &&
        Array.isArray(state.centroids) &&
        state.centroids.length === state.k * state.d;
      if (!ok) {
        throw argumentError('INVALID_ARGUMENT', 'KMeansModel.setState', 'state', `{ k: ${options.k}, d, centroids of length k * d }`, JSON.stringify({ k: state?.k, d: state?.d }));
      }
      kept?.dispose();
      kept = tf.tensor2d(state.centroids, [state.k, state.d], 'float32');
    },
    dispose() {
      kept?.dispose();
      kept = undefined;
      disposed = true;
    },
  };
}
