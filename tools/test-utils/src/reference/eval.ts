/**
 * Float64 references for @contrastive/eval, written from spec §7 with plain
 * loops: the weighted kNN monitor, alignment and uniformity, a Jacobi
 * eigenvalue solver (an independent method from the library's Householder +
 * QL) and clustering accuracy by brute force over permutations.
 */
import type { Matrix } from '../random';
import { row } from '../random';
import { dot, logSumExp, normalizeRows } from '../f64';

/** Weighted kNN class scores (spec §7.2) of every test row; returns predictions. */
export function knnReference(
  train: Matrix,
  trainLabels: readonly number[],
  test: Matrix,
  k: number,
  t: number,
  numClasses: number,
): { predictions: number[]; scores: number[][] } {
  const a = normalizeRows(train);
  const q = normalizeRows(test);
  const predictions: number[] = [];
  const scores: number[][] = [];
  for (let i = 0; i < q.rows; i++) {
    const sims = Array.from({ length: a.rows }, (_, j) => ({ j, s: dot(row(q, i), row(a, j)) }));
    sims.sort((x, y) => y.s - x.s || x.j - y.j);
    const score = new Array<number>(numClasses).fill(0);
    for (const { j, s } of sims.slice(0, k)) score[trainLabels[j]!]! += Math.exp(s / t);
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (score[c]! > score[best]!) best = c;
    predictions.push(best);
    scores.push(score);
  }
  return { predictions, scores };
}

/** Mean ||u(x_i) - u(y_i)||^alpha (spec §7.1). */
export function alignmentReference(x: Matrix, y: Matrix, alpha = 2): number {
  const u = normalizeRows(x);
  const v = normalizeRows(y);
  let s = 0;
  for (let i = 0; i < u.rows; i++) {
    let d2 = 0;
    for (let j = 0; j < u.cols; j++) d2 += (row(u, i)[j]! - row(v, i)[j]!) ** 2;
    s += Math.pow(d2, alpha / 2);
  }
  return s / u.rows;
}

/** log mean_{i<j} exp(-t ||u_i - u_j||^2) (spec §7.1). */
export function uniformityReference(x: Matrix, t = 2): number {
  const u = normalizeRows(x);
  const terms: number[] = [];
  for (let i = 0; i < u.rows; i++) {
    for (let j = i + 1; j < u.rows; j++) {
      let d2 = 0;
      for (let a = 0; a < u.cols; a++) d2 += (row(u, i)[a]! - row(u, j)[a]!) ** 2;
      terms.push(-t * d2);
    }
  }
  return logSumExp(terms) - Math.log(terms.length);
}

/** Eigenvalues of a symmetric matrix by cyclic Jacobi rotations, sorted descending. */
export function jacobiEigenvalues(matrix: ArrayLike<number>, n: number): number[] {
  const a = Float64Array.from(matrix);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => a[i * n + i]!).sort((x, y) => y - x);
}

function permutations(items: number[]): number[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [x, ...p]));
}

/** Best one-to-one cluster -> class mapping by trying every permutation (small label sets). */
export function clusterAccuracyReference(labelsTrue: readonly number[], labelsPred: readonly number[]): number {
  const classes = [...new Set(labelsTrue)].sort((a, b) => a - b);
  const clusters = [...new Set(labelsPred)].sort((a, b) => a - b);
  const size = Math.max(classes.length, clusters.length);
  let best = 0;
  for (const perm of permutations(Array.from({ length: size }, (_, i) => i))) {
    let hits = 0;
    for (let i = 0; i < labelsTrue.length; i++) {
      const cluster = clusters.indexOf(labelsPred[i]!);
      if (classes[perm[cluster]!] === labelsTrue[i]) hits++;
    }
    best = Math.max(best, hits);
  }
  return best / labelsTrue.length;
}
