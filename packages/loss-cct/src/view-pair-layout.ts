/**
 * Index tables of the fused small-scale CACR op (internal): the P = V(V-1)/2
 * view pairs x < y in "group" order (y = 1..V-1, then x = 0..y-1), so that
 * group y's anchors are the first y views, i.e. the first yB rows of the
 * stacked views [V B, d]. Pair (x, y) has index y(y-1)/2 + x, and its B
 * anchor rows are rows [(y(y-1)/2 + x) B, ... + B) of every per-pair vector.
 */
export interface ViewPairLayout {
  /** Views V. */
  readonly views: number;
  /** Batch B. */
  readonly batch: number;
  /** Pairs P = V(V-1)/2. */
  readonly pairs: number;
  /** Anchor view x of each pair, group order, [P]. */
  readonly anchorOf: readonly number[];
  /** Negative view y of each pair, group order, [P]. */
  readonly negativeOf: readonly number[];
}

/** Pair index of the views x < y in group order. */
export function pairIndex(x: number, y: number): number {
  return (y * (y - 1)) / 2 + x;
}

/** The layout of V views of B rows. */
export function viewPairLayout(views: number, batch: number): ViewPairLayout {
  const anchorOf: number[] = [];
  const negativeOf: number[] = [];
  for (let y = 1; y < views; y++) {
    for (let x = 0; x < y; x++) (anchorOf.push(x), negativeOf.push(y));
  }
  return { views, batch, pairs: anchorOf.length, anchorOf, negativeOf };
}

/** Every index table of a layout (see the functions below), built once. */
export interface LayoutTables {
  readonly layout: ViewPairLayout;
  /** Per group y = 1..V-1 (index y - 1): {@link sameImageColumns} of its yB rows. */
  readonly sameImage: readonly Int32Array[];
  /** Per group y: {@link blockDiagonalIndices} of its yB rows. */
  readonly diagonal: readonly Int32Array[];
  readonly anchorRows: Int32Array;
  readonly attraction: Int32Array;
  readonly attractionPairs: Int32Array;
  readonly aggregation: Float32Array;
}

const cache = new Map<string, LayoutTables>();

/**
 * The tables of V views of B rows, memoised (a training run calls the loss
 * with one shape every step; the last 8 shapes are kept, plain JS arrays).
 */
export function layoutTables(views: number, batch: number): LayoutTables {
  const key = `${views}x${batch}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const layout = viewPairLayout(views, batch);
  const groups = Array.from({ length: views - 1 }, (_, g) => (g + 1) * batch);
  const tables: LayoutTables = {
    layout,
    sameImage: groups.map((rows) => sameImageColumns(rows, batch)),
    diagonal: groups.map((rows) => blockDiagonalIndices(rows, batch)),
    anchorRows: anchorRows(layout),
    attraction: attractionIndices(layout),
    attractionPairs: attractionPairIndices(layout),
    aggregation: viewAggregation(layout),
  };
  if (cache.size >= 8) cache.delete(cache.keys().next().value!);
  cache.set(key, tables);
  return tables;
}

/** Flat index r B + (r mod B) of row r's same-image column in a [rows, B] block, r < rows. */
export function blockDiagonalIndices(rows: number, batch: number): Int32Array {
  return Int32Array.from({ length: rows }, (_, r) => r * batch + (r % batch));
}

/** Row r mod B of every row r < rows (the same-image column of a [rows, B] block). */
export function sameImageColumns(rows: number, batch: number): Int32Array {
  return Int32Array.from({ length: rows }, (_, r) => r % batch);
}

/** Row x B + i of the stacked views for each per-pair row (p, i): the anchor's row, [P B]. */
export function anchorRows(l: ViewPairLayout): Int32Array {
  const out = new Int32Array(l.pairs * l.batch);
  for (let p = 0; p < l.pairs; p++) for (let i = 0; i < l.batch; i++) out[p * l.batch + i] = l.anchorOf[p]! * l.batch + i;
  return out;
}

/**
 * Index into the per-pair positive costs [P B] of entry (i, x, y) of the
 * [B, V, V] attraction costs: pair (min, max) row i; the diagonal x = y (masked
 * out of the plan) points at row i of pair 0.
 */
export function attractionIndices(l: ViewPairLayout): Int32Array {
  const { views: v, batch: b } = l;
  const out = new Int32Array(b * v * v);
  for (let i = 0; i < b; i++) {
    for (let x = 0; x < v; x++) {
      for (let y = 0; y < v; y++) {
        const p = x === y ? 0 : pairIndex(Math.min(x, y), Math.max(x, y));
        out[(i * v + x) * v + y] = p * b + i;
      }
    }
  }
  return out;
}

/**
 * For each per-pair row (p, i), p = (x, y): the flat indices of (i, x, y) and
 * (i, y, x) in the [B, V, V] attraction weights, as [2, P B] (the two
 * directions in which the pair's positive cost enters the attraction).
 */
export function attractionPairIndices(l: ViewPairLayout): Int32Array {
  const { views: v, batch: b, pairs } = l;
  const out = new Int32Array(2 * pairs * b);
  for (let p = 0; p < pairs; p++) {
    const [x, y] = [l.anchorOf[p]!, l.negativeOf[p]!];
    for (let i = 0; i < b; i++) {
      out[p * b + i] = (i * v + x) * v + y;
      out[(pairs + p) * b + i] = (i * v + y) * v + x;
    }
  }
  return out;
}

/**
 * 0/1 [V, P + V - 1] matrix summing per-block results into views: column p
 * (pair p's anchor-side block) into its anchor view x, column P + y - 1 (group
 * y's negative-side block) into view y.
 */
export function viewAggregation(l: ViewPairLayout): Float32Array {
  const cols = l.pairs + l.views - 1;
  const out = new Float32Array(l.views * cols);
  for (let p = 0; p < l.pairs; p++) out[l.anchorOf[p]! * cols + p] = 1;
  for (let y = 1; y < l.views; y++) out[y * cols + l.pairs + y - 1] = 1;
  return out;
}
