/**
 * Lloyd iterations with Yinyang bounds (Ding et al., "Yinyang K-Means",
 * ICML 2015), which generalise Hamerly's (one group).
 *
 * The centroids are split once into about k/20 groups (centroid-groups.ts).
 * Every row keeps an upper bound u on the distance to its centroid and, per
 * group g, a lower bound l_g on the distance to any centroid of g other than
 * its own. After the centroids move by delta_j, u grows by its centroid's
 * delta and l_g shrinks by the largest delta in g. A row with u < l_g for all
 * g keeps its cluster; otherwise only the groups with l_g <= u can hold a
 * nearer centroid, and only those are scored. Rows that need group g are
 * gathered and scored against g's centroids with one small matmul per group.
 *
 * Kinds of E-step:
 * - `'seeded'`: the first assignment comes with the seeds (k-means++ has
 *   the nearest seed of every row once its last weights are refreshed).
 * - `'refresh'`: every row against every centroid (chunked matmul, score
 *   blocks read back); exact u and l_g for all rows. The first scored
 *   E-step, and any step where the grouped work would cost more.
 * - `'grouped'`: only the (row, group) pairs that fail their bounds.
 * All give the plain Lloyd assignment up to float32 rounding (a relative
 * margin guards every bound comparison). On 128-d mixture data (50k rows,
 * k = 1000) the groups separate the mixture's components, so after the
 * refresh a row mostly rescores its own group only: 0.1-4% of the dense work.
 */
import { disposePrepared, prepareCentroids } from './assign-to-centroids';
import { groupCentroids, type CentroidGroups } from './centroid-groups';
import { gatherRows, rowCentroidDistance, squaredDistanceRows, type FeatureMatrix } from './feature-matrix';
import { forEachGatheredScoreBlock, forEachScoreBlock, hostBlockRows } from './score-blocks';
import { RowLists } from './row-lists';
import {
  clusterSums,
  moveRow,
  updateCentroids,
  type ClusterSums,
  type EmptyClusterStrategy,
} from './update-centroids';

/** Relative slack on bound comparisons, for float32 rounding of the matmul distances. */
const BOUND_SLACK = 1e-5;
/** Centroids per group (Yinyang used k/10 groups; k/20 measured ~8% faster on the bench data). */
const GROUP_SIZE = 20;
/** At most this many lower bounds (N x groups float64, 64 MB). */
const MAX_BOUNDS = 1 << 23;
/** Cost of one score in a group block relative to one in a refresh (small matmuls, gathers). */
const GROUPED_COST = 3;

export interface LloydOptions {
  k: number;
  iterations: number;
  emptyClusters: EmptyClusterStrategy;
  chunkElements: number;
}

/** How one E-step scored the rows (see the file comment); `'seeded'`: taken from the seeding. */
export type LloydStep = 'seeded' | 'refresh' | 'grouped';

export interface LloydResult {
  centroids: Float64Array;
  assignment: Int32Array;
  /** Squared distance of each row to its final centroid (float64 arithmetic). */
  distances: Float32Array;
  inertia: number;
  /** M-steps run (fewer than requested after a fixed point). */
  iterations: number;
  emptyRepaired: number;
  /** Rows scored on the device per E-step (against at least one centroid), for diagnostics. */
  rowsScored: number[];
  /** Scores computed per E-step as a fraction of N * k, for diagnostics. */
  work: number[];
  /** Kind of each E-step, for diagnostics. */
  steps: LloydStep[];
}

/**
 * State of the bounds. Lower bounds decay lazily: `lower` [N * groups] stores
 * l_g + drift_g, where drift_g (`drift`) is group g's cumulative largest move,
 * so l_g = lower - drift_g; `lowerMin` [N] stores min_g l_g + `driftMax`, the
 * cumulative largest move of any centroid (Yinyang's global bound), and
 * `lowerOther` [N] the same over the groups other than the row's own. Decaying
 * then costs nothing per row; a row whose global bound holds never touches
 * its group bounds, and one whose "other groups" bound holds checks only its
 * own group (most rows: a row can mostly only switch to a nearby centroid).
 * Float64, so adding the drifts loses no precision.
 */
interface Bounds {
  readonly groups: CentroidGroups;
  readonly assignment: Int32Array;
  readonly upper: Float64Array;
  readonly lower: Float64Array;
  readonly lowerMin: Float64Array;
  readonly lowerOther: Float64Array;
  readonly drift: Float64Array;
  driftMax: number;
  /** Kept equal to clusterSums(assignment) once set. */
  sums?: ClusterSums;
}

/**
 * A row with upper bound u keeps its centroid against a group with lower
 * bound l when u + slack < l, slack = BOUND_SLACK * (u + l + 1e-12) (l >= 0),
 * i.e. when l exceeds this threshold.
 */
function keepAbove(u: number): number {
  return (u * (1 + BOUND_SLACK) + BOUND_SLACK * 1e-12) / (1 - BOUND_SLACK);
}

/** Recomputes row i's global and "other groups" bounds from its group bounds. */
function summarize(b: Bounds, i: number): void {
  const G = b.groups.count;
  const own = b.groups.groupOf[b.assignment[i]!]!;
  let other = Infinity;
  for (let g = 0; g < G; g++) {
    if (g === own) continue;
    const l = b.lower[i * G + g]! - b.drift[g]!;
    if (l < other) other = l;
  }
  b.lowerOther[i] = other + b.driftMax;
  b.lowerMin[i] = Math.min(other, b.lower[i * G + own]! - b.drift[own]!) + b.driftMax;
}

/** sqrt(max(||x||^2 - 2 s, 0)): distance from a score (Infinity for -Infinity). */
function distanceOf(norm: number, score: number): number {
  const q = norm - 2 * score;
  return q > 0 ? Math.sqrt(q) : 0;
}

/** Every row against every centroid; exact assignment and bounds. Returns the number of changed rows. */
async function refresh(m: FeatureMatrix, centroids: Float64Array, b: Bounds, chunkElements: number): Promise<number> {
  const { groups, assignment, upper, lower, lowerMin, lowerOther, drift } = b;
  const { order, start: gStart, count: G } = groups;
  const k = order.length;
  const groupMax = new Float64Array(G);
  let changed = 0;
  const prepared = prepareCentroids(centroids, k, m.cols, order);
  try {
    await forEachScoreBlock(m, prepared, hostBlockRows(k, m.cols, chunkElements), (start, rows, scores) => {
      /** Lowest centroid index in group g whose score is v (exact ties only). */
      const firstOf = (base: number, g: number, v: number): number => {
        for (let c = gStart[g]!; c < gStart[g + 1]!; c++) if (scores[base + c] === v) return order[c]!;
        return k;
      };
      for (let r = 0; r < rows; r++) {
        const i = start + r;
        const base = r * k;
        // Pass 1: the maximum of each group (branch-light); pass 2: the best group's argmax and second.
        let best = -Infinity;
        let bestGroup = 0;
        for (let g = 0; g < G; g++) {
          let s1 = -Infinity;
          const end = base + gStart[g + 1]!;
          for (let c = base + gStart[g]!; c < end; c++) if (scores[c]! > s1) s1 = scores[c]!;
          groupMax[g] = s1;
          if (s1 > best || (s1 === best && firstOf(base, g, s1) < firstOf(base, bestGroup, best))) {
            best = s1;
            bestGroup = g;
          }
        }
        let bestCol = -1;
        let bestSecond = -Infinity;
        for (let c = gStart[bestGroup]!; c < gStart[bestGroup + 1]!; c++) {
          const v = scores[base + c]!;
          // Ties go to the lowest centroid index (columns ascend by index within a group).
          if (v === best && bestCol < 0) bestCol = c;
          else if (v > bestSecond) bestSecond = v;
        }
        if (bestCol < 0) bestCol = gStart[bestGroup]!; // only for NaN scores
        const norm = m.squaredNorms[i]!;
        const next = order[bestCol]!;
        if (next !== assignment[i]) {
          changed++;
          if (b.sums !== undefined) moveRow(b.sums, m, i, assignment[i]!, next);
        }
        assignment[i] = next;
        upper[i] = distanceOf(norm, best);
        // The row's own group is bestGroup; `other` is the nearest centroid of any other group.
        let other = Infinity;
        for (let g = 0; g < G; g++) {
          const l = distanceOf(norm, g === bestGroup ? bestSecond : groupMax[g]!);
          lower[i * G + g] = l + drift[g]!;
          if (g !== bestGroup && l < other) other = l;
        }
        lowerOther[i] = other + b.driftMax;
        lowerMin[i] = Math.min(other, distanceOf(norm, bestSecond)) + b.driftMax;
      }
    });
  } finally {
    disposePrepared(prepared);
  }
  return changed;
}

/**
 * Per-run buffers of the grouped E-steps, allocated once (N-sized arrays
 * and the per-group row lists), so an iteration allocates nothing per row.
 */
interface Workspace {
  /** Gathered rows of one score block before their upload. */
  scratch: Float32Array;
  /** Rows to score per group, and the rows listed in any group. */
  readonly lists: RowLists;
  readonly listed: RowLists;
  /** Exact distance of each listed row to its current centroid. */
  readonly exact: Float64Array;
  /** 1 when a row was checked against every group, 0 when only its own group was. */
  readonly wide: Uint8Array;
  /** Per listed row: best squared distance so far, its centroid, its group (-1: the current centroid) and that group's second. */
  readonly bestDist: Float64Array;
  readonly bestIndex: Int32Array;
  readonly bestGroup: Int32Array;
  readonly bestSecond: Float64Array;
}

function createWorkspace(m: FeatureMatrix, groups: number): Workspace {
  const n = m.rows;
  return {
    scratch: new Float32Array(0),
    lists: new RowLists(groups),
    listed: new RowLists(1, 1024),
    exact: new Float64Array(n),
    wide: new Uint8Array(n),
    bestDist: new Float64Array(n),
    bestIndex: new Int32Array(n),
    bestGroup: new Int32Array(n),
    bestSecond: new Float64Array(n),
  };
}

/**
 * Scores only the (row, group) pairs in `w.lists` (rows per group, gathered
 * on the device) and updates the bounds; `w.exact` holds each listed row's
 * exact distance to its current centroid, `w.wide[i]` is 1 when row i was
 * checked against every group (else only its own group was listed).
 * Returns the number of changed rows.
 */
async function scoreGroups(
  m: FeatureMatrix,
  centroids: Float64Array,
  b: Bounds,
  w: Workspace,
  chunkElements: number,
): Promise<number> {
  const { groups, assignment, upper, lower, lowerMin, lowerOther, drift } = b;
  const { exact, wide, bestDist, bestIndex, bestGroup, bestSecond } = w;
  const G = groups.count;
  const { groupOf, columnOf } = groups;
  const norms = m.squaredNorms;
  const rowsToUpdate = w.listed.list(0);
  for (let r = 0; r < rowsToUpdate.length; r++) {
    const i = rowsToUpdate[r]!;
    bestDist[i] = exact[i]! * exact[i]!;
    bestIndex[i] = assignment[i]!;
    bestGroup[i] = -1;
  }
  for (let g = 0; g < G; g++) {
    if (w.lists.size(g) === 0) continue;
    const rows = w.lists.list(g);
    const members = groups.order.subarray(groups.start[g]!, groups.start[g + 1]!);
    const size = members.length;
    const driftG = drift[g]!;
    const prepared = prepareCentroids(centroids, size, m.cols, members);
    try {
      const blockRows = Math.min(hostBlockRows(size, m.cols, chunkElements), rows.length);
      if (w.scratch.length < blockRows * m.cols) w.scratch = new Float32Array(blockRows * m.cols);
      await forEachGatheredScoreBlock(m, rows, prepared, blockRows, w.scratch, (start, count, scores) => {
        for (let r = 0; r < count; r++) {
          const i = rows[start + r]!;
          const own = assignment[i]!;
          // The current centroid is covered by its exact distance: its column (if in this group) is skipped.
          const ownCol = groupOf[own] === g ? columnOf[own]! : -1;
          let s1 = -Infinity;
          let c1 = -1;
          let s2 = -Infinity;
          const base = r * size;
          for (let c = 0; c < size; c++) {
            if (c === ownCol) continue;
            const v = scores[base + c]!;
            if (v > s1) {
              s2 = s1;
              s1 = v;
              c1 = c;
            } else if (v > s2) {
              s2 = v;
            }
          }
          const norm = norms[i]!;
          const d1 = distanceOf(norm, s1);
          lower[i * G + g] = d1 + driftG;
          if (c1 < 0) continue;
          const q = d1 * d1;
          if (q < bestDist[i]! || (q === bestDist[i] && members[c1]! < bestIndex[i]!)) {
            bestDist[i] = q;
            bestIndex[i] = members[c1]!;
            bestGroup[i] = g;
            bestSecond[i] = distanceOf(norm, s2);
          }
        }
      });
    } finally {
      disposePrepared(prepared);
    }
  }
  let changed = 0;
  for (let r = 0; r < rowsToUpdate.length; r++) {
    const i = rowsToUpdate[r]!;
    const old = assignment[i]!;
    const next = bestIndex[i]!;
    // The new centroid's group excludes it; the second of that group is the nearest other.
    if (bestGroup[i]! >= 0) lower[i * G + bestGroup[i]!] = bestSecond[i]! + drift[bestGroup[i]!]!;
    if (next !== old) {
      changed++;
      // The old centroid is now an "other" of its group.
      const oldGroup = groups.groupOf[old]!;
      const og = i * G + oldGroup;
      lower[og] = Math.min(lower[og]!, exact[i]! + drift[oldGroup]!);
      if (b.sums !== undefined) moveRow(b.sums, m, i, old, next);
      assignment[i] = next;
    }
    upper[i] = Math.sqrt(bestDist[i]!);
    if (wide[i] === 1) {
      // Other groups were scored, or the row moved to another group.
      summarize(b, i);
    } else {
      // Only the own group changed; the row stayed in it.
      const own = groups.groupOf[assignment[i]!]!;
      lowerMin[i] = Math.min(lower[i * G + own]! - drift[own]!, lowerOther[i]! - b.driftMax) + b.driftMax;
    }
  }
  return changed;
}

/**
 * The filter after an M-step (centroid j moved by delta[j]; the drifts are
 * already added): rows whose global bound holds are skipped; the others get
 * their exact distance to their centroid (`w.exact`), then either only their
 * own group (when the other-groups bound holds, `w.wide` 0) or every group
 * (`w.wide` 1) is checked. Fills `w.lists` (rows to score per group) and
 * `w.listed` (list 0: the rows listed anywhere); returns the number of
 * scores that costs.
 */
function filterRows(m: FeatureMatrix, centroids: Float64Array, b: Bounds, delta: Float64Array, w: Workspace): number {
  const { groups, assignment, upper, lower, lowerMin, lowerOther, drift } = b;
  const { exact, wide, lists, listed } = w;
  const n = m.rows;
  const d = m.cols;
  const G = groups.count;
  const { groupOf, start: gStart } = groups;
  const driftMax = b.driftMax;
  lists.clear();
  listed.clear();
  let scores = 0;
  for (let i = 0; i < n; i++) {
    const a = assignment[i]!;
    let u = upper[i]! + delta[a]!;
    upper[i] = u;
    const global = lowerMin[i]! - driftMax;
    if (global > keepAbove(u)) continue;
    u = Math.sqrt(rowCentroidDistance(m.data, i, centroids, a, d));
    upper[i] = u;
    exact[i] = u;
    const threshold = keepAbove(u);
    if (global > threshold) continue;
    const base = i * G;
    const own = groupOf[a]!;
    const ownLower = lower[base + own]! - drift[own]!;
    const otherLower = lowerOther[i]! - driftMax;
    if (otherLower > threshold) {
      // No other group can hold a nearer centroid: at most the own group is listed.
      lowerMin[i] = Math.min(ownLower, otherLower) + driftMax;
      wide[i] = 0;
      if (ownLower > threshold) continue;
      lists.push(own, i);
      scores += gStart[own + 1]! - gStart[own]!;
      listed.push(0, i);
      continue;
    }
    let failing = false;
    for (let g = 0; g < G; g++) {
      const l = lower[base + g]! - drift[g]!;
      if (l > threshold) continue;
      lists.push(g, i);
      scores += gStart[g + 1]! - gStart[g]!;
      failing = true;
    }
    // The group bounds, decayed separately, are at least as tight as the summaries.
    summarize(b, i);
    wide[i] = 1;
    if (failing) listed.push(0, i);
  }
  return scores;
}

/**
 * Row indices sorted (stably) by the group of each row's centroid. Lloyd
 * runs on the rows in this order: a group's rows are then mostly
 * consecutive, and rows listed for their own group (most of a bounded
 * E-step's work) are gathered in runs (one memcpy per run) instead of row
 * by row. Rows rarely change group after the first E-step, so the order is
 * computed once.
 */
function groupOrder(assignment: Int32Array, groups: CentroidGroups): Int32Array {
  const G = groups.count;
  const start = new Int32Array(G + 1);
  for (let i = 0; i < assignment.length; i++) start[groups.groupOf[assignment[i]!]! + 1]!++;
  for (let g = 0; g < G; g++) start[g + 1]! += start[g]!;
  const perm = new Int32Array(assignment.length);
  for (let i = 0; i < assignment.length; i++) perm[start[groups.groupOf[assignment[i]!]!]!++] = i;
  return perm;
}

/** The per-row state of `b` reordered by `perm` (row p of the result is row perm[p] of `b`). */
function permuteBounds(b: Bounds, perm: Int32Array): Bounds {
  const n = perm.length;
  const G = b.groups.count;
  const assignment = new Int32Array(n);
  const upper = new Float64Array(n);
  const lower = new Float64Array(n * G);
  const lowerMin = new Float64Array(n);
  const lowerOther = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const i = perm[p]!;
    assignment[p] = b.assignment[i]!;
    upper[p] = b.upper[i]!;
    for (let g = 0; g < G; g++) lower[p * G + g] = b.lower[i * G + g]!;
    lowerMin[p] = b.lowerMin[i]!;
    lowerOther[p] = b.lowerOther[i]!;
  }
  return { groups: b.groups, assignment, upper, lower, lowerMin, lowerOther, drift: b.drift, driftMax: b.driftMax };
}

/** `values` (in permuted order) back in input order: out[perm[p]] = values[p]. */
function unpermute<T extends Int32Array | Float32Array>(values: T, perm: Int32Array): T {
  const out = values.slice() as T;
  for (let p = 0; p < perm.length; p++) out[perm[p]!] = values[p]!;
  return out;
}

/**
 * Groups to aim for with N rows and k centroids: k/20, at most
 * MAX_BOUNDS / N so the N x groups float64 lower bounds stay within 64 MB.
 */
export function targetGroups(n: number, k: number): number {
  return Math.min(Math.ceil(k / GROUP_SIZE), Math.max(1, Math.floor(MAX_BOUNDS / n)));
}

/**
 * Runs Lloyd from `initial` centroids on the read-back rows `m`. `seeded`,
 * when given, is the nearest initial centroid of every row (k-means++
 * computes it anyway): the first E-step is then skipped, and the first E-step
 * after the first M-step scores everything to set up the bounds.
 */
export async function boundedLloyd(
  input: FeatureMatrix,
  initial: Float64Array,
  o: LloydOptions,
  seeded?: Int32Array,
): Promise<LloydResult> {
  const n = input.rows;
  const k = o.k;
  const d = input.cols;
  const groups = groupCentroids(initial, k, d, targetGroups(n, k));
  const G = groups.count;
  let m = input;
  let b: Bounds = {
    groups,
    assignment: new Int32Array(n),
    upper: new Float64Array(n),
    lower: new Float64Array(n * G),
    lowerMin: new Float64Array(n),
    lowerOther: new Float64Array(n),
    drift: new Float64Array(G),
    driftMax: 0,
  };
  let centroids = initial;
  let boundsReady = seeded === undefined;
  if (seeded === undefined) await refresh(m, centroids, b, o.chunkElements);
  else b.assignment.set(seeded);
  // Rows sorted by their centroid's group: row p of `m` is row perm[p] of the input from here on.
  const perm = G > 1 ? groupOrder(b.assignment, groups) : undefined;
  if (perm !== undefined) {
    m = gatherRows(input, perm);
    b = permuteBounds(b, perm);
  }
  const { assignment, drift } = b;
  b.sums = clusterSums(m, assignment, k);
  const rowsScored = [boundsReady ? n : 0];
  const work = [boundsReady ? 1 : 0];
  const steps: LloydStep[] = [boundsReady ? 'refresh' : 'seeded'];
  let iterations = 0;
  let emptyRepaired = 0;
  // Exact squared distances, kept current only for 'farthest-point' repair.
  const distances = new Float32Array(n);
  const refreshDistances = (): void => {
    for (let i = 0; i < n; i++) distances[i] = rowCentroidDistance(m.data, i, centroids, assignment[i]!, d);
  };
  if (o.emptyClusters === 'farthest-point') refreshDistances();
  const w = createWorkspace(m, G);
  for (let it = 0; it < o.iterations; it++) {
    const update = updateCentroids(m, assignment, distances, k, o.emptyClusters, b.sums, perm);
    emptyRepaired += update.repaired;
    iterations++;
    const delta = new Float64Array(k);
    const moved = new Float64Array(G);
    let movedMax = 0;
    for (let j = 0; j < k; j++) {
      delta[j] = Math.sqrt(squaredDistanceRows(centroids, j, update.centroids, j, d));
      const g = groups.groupOf[j]!;
      if (delta[j]! > moved[g]!) moved[g] = delta[j]!;
      if (delta[j]! > movedMax) movedMax = delta[j]!;
    }
    for (let g = 0; g < G; g++) drift[g] += moved[g]!;
    b.driftMax += movedMax;
    centroids = update.centroids;

    let changed: number;
    const scores = boundsReady ? filterRows(m, centroids, b, delta, w) : undefined;
    if (scores === undefined || scores * GROUPED_COST >= n * k) {
      changed = await refresh(m, centroids, b, o.chunkElements);
      boundsReady = true;
      rowsScored.push(n);
      work.push(1);
      steps.push('refresh');
    } else {
      const listed = w.listed.size(0);
      changed = listed === 0 ? 0 : await scoreGroups(m, centroids, b, w, o.chunkElements);
      rowsScored.push(listed);
      work.push(scores / (n * k));
      steps.push('grouped');
    }
    if (changed === 0) break;
    if (o.emptyClusters === 'farthest-point') refreshDistances();
  }
  let inertia = 0;
  refreshDistances();
  for (let i = 0; i < n; i++) inertia += distances[i]!;
  return {
    centroids,
    assignment: perm === undefined ? assignment : unpermute(assignment, perm),
    distances: perm === undefined ? distances : unpermute(distances, perm),
    inertia,
    iterations,
    emptyRepaired,
    rowsScored,
    work,
    steps,
  };
}
