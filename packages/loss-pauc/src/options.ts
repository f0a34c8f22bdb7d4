import type { Tensor2D } from '@tensorflow/tfjs-core';
import {
  argumentError,
  assertDtype,
  assertNonNegative,
  assertPositive,
  assertRank,
  assertSameShape,
  createRng,
} from '@contrastive/core';
import { checkClustering, prototypeColumns, type Clustering, type ProtoNceInputs, type ProtoNceOptions } from '@contrastive/loss-protonce';

/** The tensors of one PAUC step: ProtoNCE's inputs plus the second view's online embedding. */
export interface PaucInputs extends ProtoNceInputs {
  /**
   * [B, d] online (query-encoder) embedding v'_i of the second view, for the
   * correlation term (spec §3(c)). Required when `correlationWeight` > 0.
   */
  query2?: Tensor2D | undefined;
}

export interface PaucTermOptions {
  /** Uniformity scale t, > 0. Default 2 (Wang & Isola's default; spec §3(c)). */
  uniformityT?: number;
  /** L2-normalise query and query2 first. Default true (PCL's v_i are unit vectors; spec §2(a)). */
  normalize?: boolean;
}

export interface PaucOptions extends ProtoNceOptions, PaucTermOptions {
  /** lambda_a, weight of the alignment term, >= 0 (0 switches it off). Default 1 (spec §3(c); reconstruction). */
  alignmentWeight?: number;
  /** lambda_u, weight of the uniformity term, >= 0. Default 1 (spec §3(c); reconstruction). */
  uniformityWeight?: number;
  /** lambda_c, weight of the correlation term, >= 0. Default 0.01 (spec §3(c); reconstruction). */
  correlationWeight?: number;
}

/** Defaults of the PAUC-specific options (spec §3(c)); ProtoNCE's own come from PROTO_NCE_DEFAULTS. */
export const PAUC_DEFAULTS = Object.freeze({
  alignmentWeight: 1,
  uniformityWeight: 1,
  correlationWeight: 0.01,
  uniformityT: 2,
  normalize: true,
});

/** epsilon added to the batch variance when standardising columns (torch BatchNorm1d default, as Barlow Twins). */
export const PAUC_CORRELATION_EPSILON = 1e-5;

/** Checks a query-like matrix and the clusterings; returns the batch size. */
export function checkTermInputs(
  fn: string,
  inputs: { query: Tensor2D; query2?: Tensor2D | undefined; clusterings: readonly Clustering[] },
  needs: { minRows: number; query2: boolean },
): void {
  if (inputs === null || typeof inputs !== 'object' || !Array.isArray(inputs.clusterings)) {
    throw argumentError('INVALID_ARGUMENT', fn, 'inputs', 'an object { query, clusterings: [], ... }', String(inputs));
  }
  const { query } = inputs;
  assertRank(fn, 'query', query, 2);
  assertDtype(fn, 'query', query, 'float32');
  if (query.shape[0] < needs.minRows || query.shape[1] < 1) {
    throw argumentError('SHAPE_MISMATCH', fn, 'query', `of shape [B >= ${needs.minRows}, d >= 1]`, `[${query.shape.join(',')}]`);
  }
  if (needs.query2) {
    if (inputs.query2 === undefined) {
      throw argumentError('INVALID_ARGUMENT', fn, 'query2', 'the second view [B, d] (needed by the correlation term)', 'undefined');
    }
    assertRank(fn, 'query2', inputs.query2, 2);
    assertSameShape(fn, ['query', 'query2'], query, inputs.query2);
    assertDtype(fn, 'query2', inputs.query2, 'float32');
  }
  inputs.clusterings.forEach((c, m) => checkClustering(fn, `clusterings[${m}]`, c, query.shape[0], query.shape[1]));
}

/** Resolves and checks the term options. */
export function resolveTermOptions(fn: string, options: PaucTermOptions): Required<PaucTermOptions> {
  const o = { uniformityT: PAUC_DEFAULTS.uniformityT, normalize: PAUC_DEFAULTS.normalize, ...options };
  assertPositive(fn, 'uniformityT', o.uniformityT);
  if (typeof o.normalize !== 'boolean') throw argumentError('INVALID_ARGUMENT', fn, 'normalize', 'a boolean', String(o.normalize));
  return o;
}

/** Resolves and checks the three weights. */
export function resolveWeights(fn: string, options: PaucOptions): { alignment: number; uniformity: number; correlation: number } {
  const alignment = options.alignmentWeight ?? PAUC_DEFAULTS.alignmentWeight;
  const uniformity = options.uniformityWeight ?? PAUC_DEFAULTS.uniformityWeight;
  const correlation = options.correlationWeight ?? PAUC_DEFAULTS.correlationWeight;
  assertNonNegative(fn, 'alignmentWeight', alignment);
  assertNonNegative(fn, 'uniformityWeight', uniformity);
  assertNonNegative(fn, 'correlationWeight', correlation);
  return { alignment, uniformity, correlation };
}

/** The distinct assigned prototype ids of the batch, in order of first appearance. */
export function batchPrototypeIds(fn: string, c: Clustering): Int32Array {
  // r = 0 draws nothing from the generator.
  return prototypeColumns(fn, c.assignment, c.prototypes.shape[0], 0, true, createRng(0)).columns;
}
