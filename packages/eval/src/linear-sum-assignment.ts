/**
 * The Hungarian algorithm (Kuhn-Munkres with row and column potentials,
 * shortest augmenting paths; O(r^2 c) for an r x c matrix with r <= c).
 * Solves min sum_i cost[i, col(i)] over injective col(). Like
 * scipy.optimize.linear_sum_assignment, a wide or tall matrix matches
 * min(r, c) pairs.
 */
import { argumentError } from '@contrastive/core';

export interface LinearSumAssignmentOptions {
  /** Maximise the total instead of minimising it. Default false. */
  maximize?: boolean;
}

/**
 * cost: row-major [rows * cols]. Returns `rowIndex`/`colIndex` pairs sorted
 * by row (length min(rows, cols)) and the total cost of the matching.
 *
 * @example
 * linearSumAssignment([4, 1, 3, 2, 0, 5, 3, 2, 2], 3, 3); // cols [1, 0, 2], total 5
 */
export function linearSumAssignment(
  cost: ArrayLike<number>,
  shape: readonly [number, number],
  options: LinearSumAssignmentOptions = {},
): { rowIndex: Int32Array; colIndex: Int32Array; total: number } {
  const [rows, cols] = shape;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0 || cost.length !== rows * cols) {
    throw argumentError('SHAPE_MISMATCH', 'linearSumAssignment', 'cost', `of length rows * cols = ${rows * cols}`, String(cost.length));
  }
  for (let i = 0; i < cost.length; i++) {
    if (!Number.isFinite(cost[i]!)) {
      throw argumentError('NOT_FINITE', 'linearSumAssignment', 'cost', 'finite', `${cost[i]} at index ${i}`);
    }
  }
  const transpose = rows > cols;
  const r = transpose ? cols : rows;
  const c = transpose ? rows : cols;
  const sign = options.maximize === true ? -1 : 1;
  const at = (i: number, j: number): number => sign * (transpose ? cost[j * cols + i]! : cost[i * cols + j]!);

  // 1-based arrays; column 0 is a virtual start column.
  const u = new Float64Array(r + 1);
  const v = new Float64Array(c + 1);
  const rowOfCol = new Int32Array(c + 1);
  const way = new Int32Array(c + 1);
  const minTo = new Float64Array(c + 1);
  const used = new Uint8Array(c + 1);
  for (let i = 1; i <= r; i++) {
    rowOfCol[0] = i;
    let col = 0;
    minTo.fill(Infinity);
    used.fill(0);
    do {
      used[col] = 1;
      const row = rowOfCol[col]!;
      let delta = Infinity;
      let next = 0;
      for (let j = 1; j <= c; j++) {
        if (used[j]) continue;
        const reduced = at(row - 1, j - 1) - u[row]! - v[j]!;
        if (reduced < minTo[j]!) {
          minTo[j] = reduced;
          way[j] = col;
        }
        if (minTo[j]! < delta) {
          delta = minTo[j]!;
          next = j;
        }
      }
      for (let j = 0; j <= c; j++) {
        if (used[j]) {
          u[rowOfCol[j]!] += delta;
          v[j] -= delta;
        } else {
          minTo[j] -= delta;
        }
      }
      col = next;
    } while (rowOfCol[col] !== 0);
    // Flip the augmenting path.
    do {
      const prev = way[col]!;
      rowOfCol[col] = rowOfCol[prev]!;
      col = prev;
    } while (col !== 0);
  }

  const pairs: [number, number][] = [];
  for (let j = 1; j <= c; j++) {
    if (rowOfCol[j] === 0) continue;
    const i = rowOfCol[j]! - 1;
    pairs.push(transpose ? [j - 1, i] : [i, j - 1]);
  }
  pairs.sort((p, q) => p[0] - q[0]);
  let total = 0;
  for (const [i, j] of pairs) total += cost[i * cols + j]!;
  return {
    rowIndex: Int32Array.from(pairs.map((p) => p[0])),
    colIndex: Int32Array.from(pairs.map((p) => p[1])),
    total,
  };
}
