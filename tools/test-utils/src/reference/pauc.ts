/**
 * Float64 references for @contrastive/loss-pauc, written from
 * spec/losses.md §3(c) (the project's reconstruction of PAUC's three terms):
 * explicit softmax, pair loops, and a column-by-column correlation matrix.
 */
import { dot, logSumExp, normalizeRows } from '../f64';
import { row, type Matrix } from '../random';
import { alignmentReference, uniformityReference } from './align-uniform';
import { protoNceReference, type RefClustering } from './protonce';

export type RefPaucClustering = Omit<RefClustering, 'negativeIds'> & { negativeIds?: ArrayLike<number> };

function prepare(m: Matrix, normalize: boolean | undefined): Matrix {
  return normalize === false ? m : normalizeRows(m);
}

/** p_i = softmax_j(v_i . c_j / phi_j) over all k prototypes, as a [B, k] matrix. */
export function assignmentProbabilities(v: Matrix, c: RefPaucClustering): Matrix {
  const k = c.prototypes.rows;
  const out = new Float64Array(v.rows * k);
  for (let i = 0; i < v.rows; i++) {
    const a = Array.from({ length: k }, (_, j) => dot(row(v, i), row(c.prototypes, j)) / c.concentration[j]!);
    const lse = logSumExp(a);
    for (let j = 0; j < k; j++) out[i * k + j] = Math.exp(a[j]! - lse);
  }
  return { rows: v.rows, cols: k, data: out };
}

function distinctIds(assignment: ArrayLike<number>): number[] {
  const ids: number[] = [];
  for (let i = 0; i < assignment.length; i++) if (!ids.includes(assignment[i]!)) ids.push(assignment[i]!);
  return ids;
}

/** (1/M) sum_m mean_i ||v_i - c_{s(i)}||^2. */
export function paucAlignmentReference(query: Matrix, clusterings: readonly RefPaucClustering[], o: { normalize?: boolean } = {}): number {
  if (clusterings.length === 0) return 0;
  const v = prepare(query, o.normalize);
  let total = 0;
  for (const c of clusterings) {
    const assigned = new Float64Array(v.rows * v.cols);
    for (let i = 0; i < v.rows; i++) assigned.set(row(c.prototypes, c.assignment[i]!), i * v.cols);
    total += alignmentReference(v, { rows: v.rows, cols: v.cols, data: assigned }, { alpha: 2, normalize: false });
  }
  return total / clusterings.length;
}

/** (1/M) sum_m log mean_{i<j} exp(-t ||p_i - p_j||^2). */
export function paucUniformityReference(query: Matrix, clusterings: readonly RefPaucClustering[], o: { t?: number; normalize?: boolean } = {}): number {
  if (clusterings.length === 0) return 0;
  const v = prepare(query, o.normalize);
  let total = 0;
  for (const c of clusterings) total += uniformityReference(assignmentProbabilities(v, c), { t: o.t ?? 2, normalize: false });
  return total / clusterings.length;
}

/** Barlow-Twins loss of the two views' p restricted to the batch's distinct prototypes. */
export function paucCorrelationReference(
  query: Matrix,
  query2: Matrix,
  clusterings: readonly RefPaucClustering[],
  o: { normalize?: boolean; epsilon?: number } = {},
): number {
  if (clusterings.length === 0) return 0;
  const eps = o.epsilon ?? 1e-5;
  const v1 = prepare(query, o.normalize);
  const v2 = prepare(query2, o.normalize);
  const n = v1.rows;
  let total = 0;
  for (const c of clusterings) {
    const ids = distinctIds(c.assignment);
    const standardized = (v: Matrix): number[][] => {
      const p = assignmentProbabilities(v, c);
      return ids.map((id) => {
        const column = Array.from({ length: n }, (_, i) => p.data[i * p.cols + id]!);
        const mean = column.reduce((s, x) => s + x, 0) / n;
        const variance = column.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
        return column.map((x) => (x - mean) / Math.sqrt(variance + eps));
      });
    };
    const z1 = standardized(v1);
    const z2 = standardized(v2);
    const rho = 1 / ids.length;
    let corr = 0;
    for (let j = 0; j < ids.length; j++) {
      for (let l = 0; l < ids.length; l++) {
        const r = dot(z1[j]!, z2[l]!) / n;
        corr += j === l ? (1 - r) ** 2 : rho * r * r;
      }
    }
    total += corr;
  }
  return total / clusterings.length;
}

/** ProtoNCE + lambda_a·align + lambda_u·unif + lambda_c·corr (spec §3(c)). */
export function paucReference(
  inputs: { query: Matrix; query2: Matrix; key: Matrix; negatives: Matrix; clusterings: readonly RefClustering[] },
  o: { temperature: number; alignmentWeight?: number; uniformityWeight?: number; correlationWeight?: number; t?: number },
): number {
  const { query, query2, key, negatives, clusterings } = inputs;
  const base = protoNceReference(query, key, negatives, clusterings, { temperature: o.temperature });
  return (
    base +
    (o.alignmentWeight ?? 1) * paucAlignmentReference(query, clusterings) +
    (o.uniformityWeight ?? 1) * paucUniformityReference(query, clusterings, { t: o.t ?? 2 }) +
    (o.correlationWeight ?? 0.01) * paucCorrelationReference(query, query2, clusterings)
  );
}
