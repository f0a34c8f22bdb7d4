/**
 * Float64 references for @contrastive/loss-infonce, written from
 * spec/losses.md §1(a) (NT-Xent, MoCo InfoNCE) and §4(a) (DCL): plain loops,
 * one anchor at a time, no masking tricks.
 */
import { dot, logSumExp, normalizeRows } from '../f64';
import { randomMatrix, roundToFloat32, row, type Matrix } from '../random';

export interface RefInfoOptions {
  temperature: number;
  normalize?: boolean;
}

/** Wraps a flat Float64Array as a matrix with `cols` columns. */
export function asMatrix(data: Float64Array, cols: number): Matrix {
  return { rows: data.length / cols, cols, data };
}

function prepare(m: Matrix, normalize: boolean | undefined): Matrix {
  return normalize === false ? m : normalizeRows(m);
}

/** Rows of [z1; z2]. */
function views(z1: Matrix, z2: Matrix, normalize: boolean | undefined): Float64Array[] {
  const a = prepare(z1, normalize);
  const b = prepare(z2, normalize);
  const out: Float64Array[] = [];
  for (let i = 0; i < a.rows; i++) out.push(row(a, i));
  for (let i = 0; i < b.rows; i++) out.push(row(b, i));
  return out;
}

/** Per-anchor NT-Xent losses l_i, i = 0..2B-1 (spec §1(a)). */
export function ntXentAnchorLosses(z1: Matrix, z2: Matrix, o: RefInfoOptions): number[] {
  const u = views(z1, z2, o.normalize);
  const n = u.length;
  const batch = n / 2;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = (i + batch) % n;
    const terms: number[] = [];
    for (let k = 0; k < n; k++) if (k !== i) terms.push(dot(u[i]!, u[k]!) / o.temperature);
    out.push(logSumExp(terms) - dot(u[i]!, u[p]!) / o.temperature);
  }
  return out;
}

/** NT-Xent: mean over the 2B anchors; 'simclr-code' gives twice that. */
export function ntXentReference(
  z1: Matrix,
  z2: Matrix,
  o: RefInfoOptions & { reduction?: 'mean' | 'simclr-code' },
): number {
  const l = ntXentAnchorLosses(z1, z2, o);
  const mean = l.reduce((s, v) => s + v, 0) / l.length;
  return o.reduction === 'simclr-code' ? 2 * mean : mean;
}

/** The [2B, 2B] similarity logits s_ik / tau (diagonal included, unmasked). */
export function ntXentLogitMatrix(z1: Matrix, z2: Matrix, o: RefInfoOptions): number[][] {
  const u = views(z1, z2, o.normalize);
  return u.map((a) => u.map((b) => dot(a, b) / o.temperature));
}

/** MoCo InfoNCE: mean_i -log softmax([q.k, q.n_1..n_K] / tau)[0] (spec §1(a)). */
export function infoNceReference(q: Matrix, k: Matrix, negatives: Matrix, o: RefInfoOptions): number {
  const qq = prepare(q, o.normalize);
  const kk = prepare(k, o.normalize);
  const nn = prepare(negatives, o.normalize);
  let total = 0;
  for (let i = 0; i < qq.rows; i++) {
    const qi = row(qq, i);
    const logits = [dot(qi, row(kk, i)) / o.temperature];
    for (let j = 0; j < nn.rows; j++) logits.push(dot(qi, row(nn, j)) / o.temperature);
    total += logSumExp(logits) - logits[0]!;
  }
  return total / qq.rows;
}

/** DCL: the positive removed from NT-Xent's denominator, mean over 2B anchors. */
export function dclReference(z1: Matrix, z2: Matrix, o: RefInfoOptions): number {
  const u = views(z1, z2, o.normalize);
  const n = u.length;
  const batch = n / 2;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const p = (i + batch) % n;
    const terms: number[] = [];
    for (let k = 0; k < n; k++) if (k !== i && k !== p) terms.push(dot(u[i]!, u[k]!) / o.temperature);
    total += logSumExp(terms) - dot(u[i]!, u[p]!) / o.temperature;
  }
  return total / n;
}

/** The inputs of spec §8 (before normalisation). */
export const SPEC_VECTORS = Object.freeze({
  z1: [
    [1, 0, 0],
    [0, 1, 0],
    [1, 1, 0],
  ],
  z2: [
    [1, 0.2, 0],
    [0.1, 1, 0],
    [1, 1, 0.3],
  ],
  z3: [
    [0.9, 0.1, 0.1],
    [0, 0.8, 0.3],
    [0.7, 1, 0],
  ],
  queue: [
    [0, 0, 1],
    [-1, 0, 0],
    [0, -1, 0],
  ],
});

/** A nested-array matrix as a float64 Matrix. */
export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  const cols = rows[0]!.length;
  return { rows: rows.length, cols, data: Float64Array.from(rows.flat()) };
}

/**
 * Runs `fn`, expects it to throw a ContrastiveError-like error, and returns
 * its code and argument (tests assert both; messages are not compared).
 */
export function thrownCode(fn: () => unknown): { code: string; argument: string | undefined } {
  try {
    fn();
  } catch (error) {
    const e = error as { name?: string; code?: string; argument?: string };
    if (e.name === 'ContrastiveError' && typeof e.code === 'string') return { code: e.code, argument: e.argument };
    throw error;
  }
  throw new Error('expected a ContrastiveError, but nothing was thrown');
}

/** Seeded standard-normal matrix rounded to float32 (what tfjs sees). */
export function f32Matrix(seed: number, rows: number, cols: number, scale = 1): Matrix {
  return roundToFloat32(randomMatrix(seed, rows, cols, scale));
}
