import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { argumentError, l2Normalize } from '@contrastive/core';
import { infoNceLoss, type InfoNceOptions } from '@contrastive/loss-infonce';
import {
  checkClustering,
  prototypeTerm,
  resolvePrototypeOptions,
  type Clustering,
  type PrototypeNceOptions,
} from './prototype-nce';

/** The tensors of one ProtoNCE step. */
export interface ProtoNceInputs {
  /** [B, d] query-encoder embeddings v_i (receive gradient). */
  query: Tensor2D;
  /** [B, d] momentum-encoder embeddings v'_i of the other crop (stop-gradient by default). */
  key: Tensor2D;
  /** [r, d] the instance queue (constants). */
  negatives: Tensor2D;
  /**
   * The M clusterings (PCL: k = 25000, 50000, 100000). An empty list (the
   * warm-up epochs, spec §2(e)10) gives InfoNCE alone.
   */
  clusterings: readonly Clustering[];
}

export interface ProtoNceOptions extends InfoNceOptions, PrototypeNceOptions {}

/**
 * Defaults of {@link protoNceLoss}: PCL's temperature 0.2 (README command for
 * v1 and v2, spec §2(b)) for the instance term, and the prototype defaults.
 */
export const PROTO_NCE_DEFAULTS = Object.freeze({
  temperature: 0.2,
  normalize: true,
  stopGradientKey: true,
  stopGradientNegatives: true,
  negativePrototypes: 16384,
  seed: 0,
  dedupePrototypes: true,
});

/**
 * ProtoNCE (PCL; spec §2(a) "what the code computes"):
 *
 *   L = InfoNCE(query, key, negatives; tau) + (1/M) sum_m L_m(query, clustering_m)
 *
 * with no other weighting. The clusterings draw their negative prototypes in
 * order from one generator (`rng`, else createRng(seed)).
 *
 * Shapes: query, key [B, d]; negatives [K, d]; clustering m: prototypes
 * [k_m, d], concentration [k_m], assignment Int32Array [B] -> Scalar.
 *
 * @example
 * const loss = protoNceLoss({ query: q, key: k, negatives: queue.negatives(), clusterings },
 *   { negativePrototypes: 1000, seed: step });
 */
export function protoNceLoss(inputs: ProtoNceInputs, options: ProtoNceOptions = {}): Scalar {
  const fn = 'protoNceLoss';
  if (inputs === null || typeof inputs !== 'object' || !Array.isArray(inputs.clusterings)) {
    throw argumentError('INVALID_ARGUMENT', fn, 'inputs', 'an object { query, key, negatives, clusterings: [] }', String(inputs));
  }
  const o = { ...PROTO_NCE_DEFAULTS, ...options };
  const po = resolvePrototypeOptions(fn, o);
  // A throw inside tidy disposes what was built so far.
  return tf.tidy(() => {
    // infoNceLoss checks query, key, negatives and the instance options.
    const instance = infoNceLoss(inputs.query, inputs.key, inputs.negatives, o);
    const { query, clusterings } = inputs;
    clusterings.forEach((c, m) => checkClustering(fn, `clusterings[${m}]`, c, query.shape[0], query.shape[1]));
    if (clusterings.length === 0) return instance;
    const v = po.normalize ? l2Normalize(query) : query;
    const terms = clusterings.map((c) => prototypeTerm(fn, v, c, po));
    return tf.add(instance, tf.div(tf.addN(terms), clusterings.length)) as Scalar;
  });
}
