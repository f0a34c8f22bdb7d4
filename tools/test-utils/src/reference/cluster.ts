/**
 * Float64 references for @contrastive/cluster, written from spec §2(a)
 * with plain loops: Lloyd steps from given centroids, and the PCL
 * concentration (steps 4-7).
 */
import type { Matrix } from '../random';
import { row } from '../random';

function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s;
}

/** Nearest centroid (lowest index on ties) and squared distance of every row. */
export function assignReference(x: Matrix, c: Matrix): { assignment: number[]; distances: number[] } {
  const assignment: number[] = [];
  const distances: number[] = [];
  for (let i = 0; i < x.rows; i++) {
    let best = 0;
    let bestDist = Infinity;
    for (let j = 0; j < c.rows; j++) {
      const dist = squaredDistance(row(x, i), row(c, j));
      if (dist < bestDist) {
        bestDist = dist;
        best = j;
      }
    }
    assignment.push(best);
    distances.push(bestDist);
  }
  return { assignment, distances };
}

/**
 * `steps` Lloyd iterations (assign, then mean of members) from `init`;
 * an empty cluster keeps its centroid (the tests use inputs without empties).
 */
export function lloydReference(x: Matrix, init: Matrix, steps: number): Matrix {
  let c: Matrix = { rows: init.rows, cols: init.cols, data: Float64Array.from(init.data) };
  for (let s = 0; s < steps; s++) {
    const { assignment } = assignReference(x, c);
    const sums = new Float64Array(c.data.length);
    const counts = new Array<number>(c.rows).fill(0);
    assignment.forEach((j, i) => {
      counts[j]!++;
      for (let a = 0; a < x.cols; a++) sums[j * x.cols + a] += x.data[i * x.cols + a]!;
    });
    const next = Float64Array.from(c.data);
    for (let j = 0; j < c.rows; j++) {
      if (counts[j] === 0) continue;
      for (let a = 0; a < x.cols; a++) next[j * x.cols + a] = sums[j * x.cols + a]! / counts[j]!;
    }
    c = { rows: c.rows, cols: c.cols, data: next };
  }
  return c;
}

/** numpy.percentile(values, q) with linear interpolation. */
export function percentileReference(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = ((s.length - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** PCL phi, spec §2(a) steps 4-7, from per-cluster Euclidean member distances. */
export function pclConcentrationReference(
  memberDistances: readonly (readonly number[])[],
  temperature: number,
  alpha = 10,
): number[] {
  const raw = memberDistances.map((d) =>
    d.length > 1 ? d.reduce((a, b) => a + b, 0) / d.length / Math.log(d.length + alpha) : NaN,
  );
  const max = Math.max(...raw.filter((v) => !Number.isNaN(v)));
  const filled = raw.map((v) => (Number.isNaN(v) ? max : v));
  const lo = percentileReference(filled, 10);
  const hi = percentileReference(filled, 90);
  const clipped = filled.map((v) => Math.min(Math.max(v, lo), hi));
  const mean = clipped.reduce((a, b) => a + b, 0) / clipped.length;
  return clipped.map((v) => (temperature * v) / mean);
}
