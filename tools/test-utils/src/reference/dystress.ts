/**
 * Float64 reference of DySTreSS (spec §4(a)), written from the spec with
 * plain loops. Stop-gradient is modelled by `frozen`: when given, the
 * temperatures come from the similarities of the frozen inputs, so central
 * finite differences see them as constants (what sg means for a gradient).
 */
import type { Matrix } from '../random';
import { row } from '../random';
import { dot, logSumExp, normalizeRows } from '../f64';

export interface DystressReferenceOptions {
  tauMin: number;
  tauMax: number;
  /** null: main form; a number: shifted form with threshold s0. */
  shift?: number | null;
  /** Half-period k of the shifted form. Default 1. */
  scale?: number;
  /** Default true. */
  normalize?: boolean;
}

/** tau(s) of spec §4(a): main form, or the shifted/stretched form when `shift` is a number. */
export function dystressTemperatureReference(s: number, o: DystressReferenceOptions): number {
  const shift = o.shift ?? null;
  const k = o.scale ?? 1;
  if (shift === null) {
    return o.tauMin + 0.5 * (o.tauMax - o.tauMin) * (1 + Math.cos(Math.PI * (1 + s)));
  }
  if (s > shift) return o.tauMax;
  return o.tauMin + 0.5 * (o.tauMax - o.tauMin) * (1 + Math.cos((Math.PI * (s - shift)) / k));
}

function prepare(m: Matrix, normalize: boolean | undefined): Matrix {
  return normalize === false ? m : normalizeRows(m);
}

/** All 2B rows [z1; z2] as arrays. */
function stackRows(z1: Matrix, z2: Matrix, normalize: boolean | undefined): Float64Array[] {
  const a = prepare(z1, normalize);
  const b = prepare(z2, normalize);
  const rows: Float64Array[] = [];
  for (let i = 0; i < a.rows; i++) rows.push(row(a, i));
  for (let i = 0; i < b.rows; i++) rows.push(row(b, i));
  return rows;
}

/**
 * DySTreSS NT-Xent: mean over the 2B anchors of
 * -s_{i,p(i)}/tau + log sum_{k != i} exp(s_ik / tau_ik).
 */
export function dystressLossReference(
  z1: Matrix,
  z2: Matrix,
  o: DystressReferenceOptions,
  frozen?: { z1: Matrix; z2: Matrix },
): number {
  const u = stackRows(z1, z2, o.normalize);
  const f = frozen === undefined ? u : stackRows(frozen.z1, frozen.z2, o.normalize);
  const n = u.length;
  const b = n / 2;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const logits: number[] = [];
    let positive = 0;
    for (let k = 0; k < n; k++) {
      if (k === i) continue;
      const value = dot(u[i]!, u[k]!) / dystressTemperatureReference(dot(f[i]!, f[k]!), o);
      logits.push(value);
      if (k === (i + b) % n) positive = value;
    }
    total += logSumExp(logits) - positive;
  }
  return total / n;
}

/**
 * DySTreSS DCL (TSDCL): 0.5 (D(z1, z2) + D(z2, z1)) with
 * D(a, b) = mean_i [ -s^ab_ii/tau + lse_{j != i} s^aa_ij/tau + lse_{j != i} s^ab_ij/tau ].
 */
export function dystressDclLossReference(
  z1: Matrix,
  z2: Matrix,
  o: DystressReferenceOptions,
  frozen?: { z1: Matrix; z2: Matrix },
): number {
  const a = stackRows(z1, z2, o.normalize);
  const f = frozen === undefined ? a : stackRows(frozen.z1, frozen.z2, o.normalize);
  const b = z1.rows;
  const scaled = (x: number, y: number): number =>
    dot(a[x]!, a[y]!) / dystressTemperatureReference(dot(f[x]!, f[y]!), o);
  const direction = (offA: number, offB: number): number => {
    let total = 0;
    for (let i = 0; i < b; i++) {
      const intra: number[] = [];
      const cross: number[] = [];
      for (let j = 0; j < b; j++) {
        if (j === i) continue;
        intra.push(scaled(offA + i, offA + j));
        cross.push(scaled(offA + i, offB + j));
      }
      total += -scaled(offA + i, offB + i) + logSumExp(intra) + logSumExp(cross);
    }
    return total / b;
  };
  return 0.5 * (direction(0, b) + direction(b, 0));
}

/** The raw inputs of spec §8 (rows are L2-normalised by the losses). */
export const SPEC8_INPUTS = Object.freeze({
  z1: [[1, 0, 0], [0, 1, 0], [1, 1, 0]],
  z2: [[1, 0.2, 0], [0.1, 1, 0], [1, 1, 0.3]],
  z3: [[0.9, 0.1, 0.1], [0, 0.8, 0.3], [0.7, 1, 0]],
  queue: [[0, 0, 1], [-1, 0, 0], [0, -1, 0]],
});

/** A float64 Matrix from nested rows. */
export function matrixOf(rows: readonly (readonly number[])[]): Matrix {
  const cols = rows[0]?.length ?? 0;
  return { rows: rows.length, cols, data: Float64Array.from(rows.flat()) };
}

/** Matrix view of a flat Float64Array (for gradient-check references). */
export function asMatrix(data: Float64Array, rows: number, cols: number): Matrix {
  return { rows, cols, data };
}
