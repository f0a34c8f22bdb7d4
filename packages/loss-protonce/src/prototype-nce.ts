import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import {
  argumentError,
  assertAxisSize,
  assertDtype,
  assertInteger,
  assertNonEmpty,
  assertRank,
  createRng,
  l2Normalize,
  type Rng,
} from '@contrastive/core';
import { prototypeColumns } from './columns';
import { prototypeCrossEntropy } from './prototype-cross-entropy';

/**
 * One clustering of the data set, restricted to the current batch (PCL E-step
 * output, spec §2(a)). Prototypes and concentrations are constants: the loss
 * holds them under stop-gradient.
 */
export interface Clustering {
  /** [k, d] float32: the L2-normalised centroids c_j (normalised after phi, spec §2(a) step 8). */
  prototypes: Tensor2D;
  /** [k] float32: the concentration phi_j > 0 of each prototype (spec §2(a) steps 4-7). */
  concentration: Tensor1D;
  /**
   * [B] int32 cluster id of each batch row, as a JavaScript Int32Array.
   * The sampler of negative prototypes must know which ids are assigned, so
   * this stays on the JS side instead of being read back from the device
   * (no dataSync in the loss). The app indexes its per-sample assignment
   * array by the batch's sample indices; a tensor can be converted with
   * `await readAssignment(t)`.
   */
  assignment: Int32Array;
}

export interface PrototypeNceOptions {
  /**
   * r, the number of negative prototypes sampled per clustering, integer >= 0.
   * Default 16384: PCL main_pcl.py `--pcl-r` (spec §2(b)). Must not exceed k
   * minus the distinct assigned ids; set it explicitly for small k.
   */
  negativePrototypes?: number;
  /**
   * Seed of the negative sampling when no `rng` is given. Default 0. The same
   * seed draws the same negatives, so pass a new seed (e.g. the step) each step.
   */
  seed?: number;
  /** A generator to draw from instead of `seed` (advanced by each call). Default: createRng(seed). */
  rng?: Rng | undefined;
  /**
   * Give every distinct positive prototype one column and point each row at
   * its own (spec §2(e)1 fix). Default true. false reproduces the official
   * code: one column per batch row, so rows sharing a cluster act as each
   * other's false negatives (salesforce/PCL issue #5).
   */
  dedupePrototypes?: boolean;
  /** L2-normalise the query rows first. Default true (PCL's v_i are normalised, spec §2(a)). */
  normalize?: boolean;
}

/** Defaults of {@link prototypeNceTerm}. */
export const PROTOTYPE_NCE_DEFAULTS: Readonly<Required<Omit<PrototypeNceOptions, 'rng'>>> = Object.freeze({
  negativePrototypes: 16384,
  seed: 0,
  dedupePrototypes: true,
  normalize: true,
});

/** Checks one clustering against a query of shape [B, d]. */
export function checkClustering(fn: string, name: string, c: Clustering, batch: number, dim: number): void {
  if (c === null || typeof c !== 'object') {
    throw argumentError('INVALID_ARGUMENT', fn, name, 'an object { prototypes, concentration, assignment }', String(c));
  }
  assertRank(fn, `${name}.prototypes`, c.prototypes, 2);
  assertDtype(fn, `${name}.prototypes`, c.prototypes, 'float32');
  assertNonEmpty(fn, `${name}.prototypes`, c.prototypes, 0);
  assertAxisSize(fn, `${name}.prototypes`, c.prototypes, 1, dim, `embedding dimension ${dim} on axis 1`);
  const k = c.prototypes.shape[0];
  assertRank(fn, `${name}.concentration`, c.concentration, 1);
  assertDtype(fn, `${name}.concentration`, c.concentration, 'float32');
  assertAxisSize(fn, `${name}.concentration`, c.concentration, 0, k, `one entry per prototype (${k})`);
  if (!(c.assignment instanceof Int32Array)) {
    throw argumentError('DTYPE_MISMATCH', fn, `${name}.assignment`, 'an Int32Array (see readAssignment)', typeof c.assignment);
  }
  if (c.assignment.length !== batch) {
    throw argumentError('SHAPE_MISMATCH', fn, `${name}.assignment`, `of length ${batch} (one id per query row)`, String(c.assignment.length));
  }
  for (let i = 0; i < batch; i++) {
    const id = c.assignment[i]!;
    if (id < 0 || id >= k) {
      throw argumentError('OUT_OF_RANGE', fn, `${name}.assignment`, `ids in [0, ${k - 1}]`, `${id} at row ${i}`);
    }
  }
}

/** Resolves and checks the sampling options. */
export function resolvePrototypeOptions(fn: string, options: PrototypeNceOptions): Required<Omit<PrototypeNceOptions, 'rng'>> & { rng: Rng } {
  const o = { ...PROTOTYPE_NCE_DEFAULTS, ...options };
  assertInteger(fn, 'negativePrototypes', o.negativePrototypes, 0);
  assertInteger(fn, 'seed', o.seed);
  for (const flag of ['dedupePrototypes', 'normalize'] as const) {
    if (typeof o[flag] !== 'boolean') throw argumentError('INVALID_ARGUMENT', fn, flag, 'a boolean', String(o[flag]));
  }
  return { ...o, rng: options.rng ?? createRng(o.seed) };
}

/**
 * The prototype term for checked inputs and a normalised query: columns and
 * targets sampled on the JS side, then {@link prototypeCrossEntropy}. Caller runs it in a tidy.
 */
export function prototypeTerm(
  fn: string,
  v: Tensor2D,
  c: Clustering,
  o: { negativePrototypes: number; dedupePrototypes: boolean; rng: Rng },
): Scalar {
  const { columns, targets } = prototypeColumns(fn, c.assignment, c.prototypes.shape[0], o.negativePrototypes, o.dedupePrototypes, o.rng);
  return prototypeCrossEntropy(v, c.prototypes, c.concentration, columns, targets);
}

/**
 * PCL's prototype term for one clustering (Li et al., ICLR 2021, arXiv
 * 2005.04966; salesforce/PCL builder.py; spec §2(a)):
 *
 *   logit[i, j] = v_i . c_col(j) / phi_col(j),   L_m = mean_i CE(logit[i], target_i)
 *
 * with columns = the batch's positive prototypes then r negatives sampled
 * without replacement from the unassigned prototypes (see {@link PrototypeNceOptions}).
 *
 * Shapes: query [B, d] float32; clustering.prototypes [k, d],
 * concentration [k], assignment Int32Array [B] -> Scalar. Gradient flows
 * to the query only.
 */
export function prototypeNceTerm(query: Tensor2D, clustering: Clustering, options: PrototypeNceOptions = {}): Scalar {
  const fn = 'prototypeNceTerm';
  assertRank(fn, 'query', query, 2);
  assertDtype(fn, 'query', query, 'float32');
  assertNonEmpty(fn, 'query', query, 0);
  assertNonEmpty(fn, 'query', query, 1);
  checkClustering(fn, 'clustering', clustering, query.shape[0], query.shape[1]);
  const o = resolvePrototypeOptions(fn, options);
  return tf.tidy(() => prototypeTerm(fn, o.normalize ? l2Normalize(query) : query, clustering, o));
}

/**
 * Reads a cluster-id tensor back to the Int32Array form that
 * {@link Clustering.assignment} takes (one asynchronous read-back, outside any tidy).
 */
export async function readAssignment(assignment: Tensor1D): Promise<Int32Array> {
  const fn = 'readAssignment';
  assertRank(fn, 'assignment', assignment, 1);
  assertDtype(fn, 'assignment', assignment, 'int32');
  return Int32Array.from(await assignment.data());
}
