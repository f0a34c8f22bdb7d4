/**
 * Weighted kNN monitor (InstDisc-style, MoCo demo settings), spec §7.2.
 *
 * For each test feature f: s_n = f . bank_n (cosine on L2-normalised
 * features), take the top-k neighbours, weight each by exp(s_n / t),
 * score_c = sum of the weights of neighbours labelled c, predict argmax.
 * Top-5 uses the five best class scores. Defaults k = 200, t = 0.1 (MoCo
 * CIFAR demo).
 *
 * Memory (ImageNet banks): the bank is never concatenated, normalised or
 * transposed into a copy. It stays as the caller's tensor or chunks; cosine
 * similarity divides each bank column of q . b^T by that row's norm (a [1, n]
 * vector per chunk, computed once). Queries go in chunks of `chunkRows`
 * rows; for each, every bank chunk's top-k is merged into a running top-k on
 * the device, so at most one [chunkRows, bank chunk rows] similarity block
 * and two [chunkRows, 2k] merge buffers exist at a time. The k neighbours'
 * similarities and indices are read back in one read per query chunk and
 * voted in JavaScript (float64), which needs no [rows, k, classes] one-hot.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import {
  argumentError,
  assertDtype,
  assertInteger,
  assertNonEmpty,
  assertPositive,
  assertRank,
  describeShape,
  l2Normalize,
  L2_NORMALIZE_EPSILON,
} from '@contrastive/core';
import { labelCount, readLabels, type Labels } from './label-array';
import { withDefaults } from './with-defaults';

/** Options of {@link knnClassify}. */
export interface KnnOptions {
  /** Neighbours per query. Default 200 (MoCo demo, InstDisc). Capped at N. */
  k?: number;
  /** Temperature t of the weights exp(s / t). Default 0.1 (MoCo demo; InstDisc used 0.07). */
  temperature?: number;
  /** Number of classes; default max label + 1. */
  numClasses?: number;
  /** Labels of the test rows; when given, top-1 and top-5 accuracy are reported. */
  testLabels?: Labels;
  /** L2-normalise both feature sets first. Default true (the monitor uses cosine). */
  normalize?: boolean;
  /**
   * Elements of one [query rows, bank chunk rows] similarity block: the query
   * chunk has floor(chunkElements / largest bank chunk) rows (at least 1).
   * Default 2^23 (32 MB).
   */
  chunkElements?: number;
}

export const KNN_DEFAULTS = Object.freeze({
  k: 200,
  temperature: 0.1,
  normalize: true,
  chunkElements: 1 << 23,
});

/** Result of {@link knnClassify}; typed arrays and numbers only. */
export interface KnnResult {
  /** Int32Array [M]: predicted class (argmax of the class scores; ties to the lower id). */
  predictions: Int32Array;
  /** Int32Array [M * min(5, C)], row-major: the best classes of each query, best first. */
  top5: Int32Array;
  /** Fraction of queries whose prediction equals the test label (when testLabels given). */
  top1Accuracy?: number;
  /** Fraction whose label is among the top-5 classes (when testLabels given). */
  top5Accuracy?: number;
}

/** Features as one `[N, d]` tensor or as row chunks `[n_i, d]` (in order; borrowed). */
export type FeatureChunks = Tensor2D | readonly Tensor2D[];

/** Largest bank index that survives the float32 packing of the one read per query chunk. */
const PACKED_INDEX_LIMIT = 2 ** 24;

/** Validates `features` (one tensor or chunks) and returns the chunks and the total rows. */
function checkChunks(fn: string, name: string, features: FeatureChunks, d?: number): { chunks: readonly Tensor2D[]; rows: number; d: number } {
  const chunks = Array.isArray(features) ? (features as readonly Tensor2D[]) : [features as Tensor2D];
  if (chunks.length === 0) throw argumentError('INVALID_ARGUMENT', fn, name, 'a tensor or a non-empty list of chunks', 'an empty list');
  let rows = 0;
  let width = d;
  chunks.forEach((t, i) => {
    const label = Array.isArray(features) ? `${name}[${i}]` : name;
    assertRank(fn, label, t, 2);
    assertDtype(fn, label, t, 'float32');
    assertNonEmpty(fn, label, t);
    width ??= t.shape[1];
    if (t.shape[1] !== width) throw argumentError('SHAPE_MISMATCH', fn, label, `of shape [*,${width}]`, describeShape(t.shape));
    rows += t.shape[0];
  });
  return { chunks, rows, d: width! };
}

/**
 * Weighted kNN classification of `testFeatures` ([M, d] float32, one tensor
 * or row chunks) against a bank `trainFeatures` ([N, d] float32, one tensor
 * or row chunks, e.g. one per extraction batch) with int32 labels
 * `trainLabels` ([N], tensor or array, in bank order). Inputs are borrowed
 * and never copied whole; returns typed arrays.
 *
 * @example
 * const { top1Accuracy } = await knnClassify(bank, bankLabels, test, { testLabels, k: 200, temperature: 0.1 });
 * // A bank kept as the chunks it was extracted in: no concatenation.
 * await knnClassify([bankPart1, bankPart2], bankLabels, test, { testLabels });
 */
export async function knnClassify(
  trainFeatures: FeatureChunks,
  trainLabels: Labels | Tensor1D,
  testFeatures: FeatureChunks,
  options: KnnOptions = {},
): Promise<KnnResult> {
  const fn = 'knnClassify';
  const o = withDefaults(KNN_DEFAULTS, options);
  const bank = checkChunks(fn, 'trainFeatures', trainFeatures);
  const test = checkChunks(fn, 'testFeatures', testFeatures, bank.d);
  const n = bank.rows;
  const m = test.rows;
  if (labelCount(trainLabels) !== n) {
    throw argumentError('SHAPE_MISMATCH', fn, 'trainLabels', `of length ${n}`, String(labelCount(trainLabels)));
  }
  if (o.testLabels !== undefined && labelCount(o.testLabels) !== m) {
    throw argumentError('SHAPE_MISMATCH', fn, 'testLabels', `of length ${m}`, String(labelCount(o.testLabels)));
  }
  assertInteger(fn, 'k', o.k, 1);
  assertPositive(fn, 'temperature', o.temperature);
  assertInteger(fn, 'chunkElements', o.chunkElements, 1);
  const labels = await readLabels(fn, 'trainLabels', trainLabels);
  const testLabels = o.testLabels === undefined ? undefined : await readLabels(fn, 'testLabels', o.testLabels);
  let maxLabel = 0;
  for (const l of labels) maxLabel = Math.max(maxLabel, l);
  const numClasses = o.numClasses ?? maxLabel + 1;
  assertInteger(fn, 'numClasses', numClasses, maxLabel + 1);
  const k = Math.min(o.k, n);
  const top = Math.min(5, numClasses);
  // One class past the top five, to see whether the fifth is tied with the next.
  const ranked = Math.min(top + 1, numClasses);

  // Per bank chunk: its first row and, for cosine, 1 / max(||b_n||, sqrt(eps)) as a [1, n_i] row (as l2Normalize).
  const offsets: number[] = [];
  let offset = 0;
  for (const c of bank.chunks) {
    offsets.push(offset);
    offset += c.shape[0];
  }
  const inverseNorms = o.normalize ? bank.chunks.map((c) => inverseRowNorms(c, Math.max(1, Math.floor(o.chunkElements / bank.d)))) : [];
  const largestChunk = Math.max(...bank.chunks.map((c) => c.shape[0]));
  const rowsPerChunk = Math.max(1, Math.floor(o.chunkElements / largestChunk));

  const predictions = new Int32Array(m);
  const top5 = new Int32Array(m * top);
  const scores = new Float64Array(numClasses);
  let done = 0;
  try {
    for (const part of test.chunks) {
      const partRows = part.shape[0];
      for (let start = 0; start < partRows; start += rowsPerChunk) {
        const rows = Math.min(rowsPerChunk, partRows - start);
        const q = tf.tidy(() => {
          const slice = rows === partRows ? part : tf.slice(part, [start, 0], [rows, bank.d]);
          return o.normalize ? l2Normalize(slice, 1) : tf.clone(slice);
        });
        let neighbours: { values: Tensor2D; indices: Tensor2D };
        try {
          neighbours = topNeighbours(q, bank.chunks, offsets, inverseNorms, k);
        } finally {
          q.dispose();
        }
        // One read: similarities and indices side by side (indices exact in float32 below 2^24).
        let sim: Float32Array | Int32Array;
        let idx: Float32Array | Int32Array;
        let stride: number;
        if (n <= PACKED_INDEX_LIMIT) {
          const packed = tf.tidy(() => tf.concat([neighbours.values, tf.cast(neighbours.indices, 'float32')], 1));
          tf.dispose([neighbours.values, neighbours.indices]);
          sim = (await packed.data()) as Float32Array;
          packed.dispose();
          idx = sim;
          stride = 2 * k;
        } else {
          [sim, idx] = (await Promise.all([neighbours.values.data(), neighbours.indices.data()])) as [Float32Array, Int32Array];
          tf.dispose([neighbours.values, neighbours.indices]);
          stride = k;
        }
        const idxShift = n <= PACKED_INDEX_LIMIT ? k : 0;
        for (let r = 0; r < rows; r++) {
          const base = r * stride;
          const row: Neighbours = { sim, simBase: base, idx, idxBase: base + idxShift, k };
          // Weights relative to the nearest neighbour: the argmax is unchanged and
          // exp cannot overflow at small temperatures.
          let top1 = -Infinity;
          for (let j = 0; j < k; j++) top1 = Math.max(top1, sim[base + j]!);
          vote(scores, labels, row, top1, o.temperature);
          let order = bestClasses(scores, ranked);
          if (nearlyTied(scores, order)) {
            vote(scores, labels, row, top1, o.temperature, byWeight(row));
            order = bestClasses(scores, ranked);
          }
          predictions[done + r] = order[0]!;
          top5.set(order.subarray(0, top), (done + r) * top);
        }
        done += rows;
      }
    }
  } finally {
    tf.dispose(inverseNorms);
  }
  const result: KnnResult = { predictions, top5 };
  if (testLabels !== undefined) {
    let hit1 = 0;
    let hit5 = 0;
    for (let i = 0; i < m; i++) {
      if (predictions[i] === testLabels[i]) hit1++;
      for (let j = 0; j < top; j++) {
        if (top5[i * top + j] === testLabels[i]) {
          hit5++;
          break;
        }
      }
    }
    result.top1Accuracy = hit1 / m;
    result.top5Accuracy = hit5 / m;
  }
  return result;
}

/**
 * 1 / max(||b_n||, sqrt(eps)) of every row of `chunk` ([n, d]) as a [1, n]
 * row (as l2Normalize), squared in blocks of `blockRows` rows so no
 * chunk-sized temporary exists.
 */
function inverseRowNorms(chunk: Tensor2D, blockRows: number): tf.Tensor2D {
  const [n, d] = chunk.shape;
  const parts: tf.Tensor1D[] = [];
  try {
    for (let start = 0; start < n; start += blockRows) {
      const rows = Math.min(blockRows, n - start);
      parts.push(tf.tidy(() => tf.sum(tf.square(rows === n ? chunk : tf.slice(chunk, [start, 0], [rows, d])), 1)));
    }
    return tf.tidy(() => tf.reshape(tf.rsqrt(tf.maximum(parts.length === 1 ? parts[0]! : tf.concat(parts), L2_NORMALIZE_EPSILON)), [1, n]));
  } finally {
    tf.dispose(parts);
  }
}

/**
 * The k most similar bank rows of each query `q` ([rows, d]): per bank chunk
 * the similarity block q . b^T (times the chunk's inverse norms), its top-k,
 * merged with the running top-k. Returns values [rows, k] and global bank
 * indices [rows, k] (int32), unsorted.
 */
function topNeighbours(
  q: Tensor2D,
  chunks: readonly Tensor2D[],
  offsets: readonly number[],
  inverseNorms: readonly tf.Tensor[],
  k: number,
): { values: Tensor2D; indices: Tensor2D } {
  let values: Tensor2D | undefined;
  let indices: Tensor2D | undefined;
  try {
    chunks.forEach((chunk, i) => {
      // One tidy per bank chunk: its similarity block is freed before the next one exists.
      const next = tf.tidy(() => {
        let sims = tf.matMul(q, chunk, false, true);
        if (inverseNorms[i] !== undefined) sims = tf.mul(sims, inverseNorms[i]!);
        // Unsorted top-k is about twice as fast on wasm; the votes need no order.
        const best = tf.topk(sims, Math.min(k, chunk.shape[0]), false);
        const global = (offsets[i] === 0 ? best.indices : tf.add(best.indices, tf.scalar(offsets[i]!, 'int32'))) as Tensor2D;
        if (values === undefined || indices === undefined) return { values: best.values as Tensor2D, indices: global };
        const allValues = tf.concat([values, best.values as Tensor2D], 1);
        const allIndices = tf.concat([indices, global], 1);
        const merged = tf.topk(allValues, Math.min(k, allValues.shape[1]), false);
        // Row r's picks are at r * width + j of the flattened indices (a plain gather: tfjs-wasm's
        // batched GatherV2 reads out of bounds on some shapes).
        const [rows, width] = allIndices.shape;
        const flat = tf.add(merged.indices, tf.reshape(tf.range(0, rows * width, width, 'int32'), [rows, 1]));
        const picked = tf.gather(tf.reshape(allIndices, [-1]), tf.reshape(flat, [-1]));
        return { values: merged.values as Tensor2D, indices: tf.reshape(picked, [rows, -1]) as Tensor2D };
      });
      tf.dispose([values ?? [], indices ?? []]);
      values = next.values;
      indices = next.indices;
    });
  } catch (error) {
    tf.dispose([values ?? [], indices ?? []]);
    throw error;
  }
  return { values: values!, indices: indices! };
}

/** One query's neighbours in the read-back arrays: similarities and bank indices at their offsets. */
interface Neighbours {
  sim: ArrayLike<number>;
  simBase: number;
  idx: ArrayLike<number>;
  idxBase: number;
  k: number;
}

/**
 * Class scores this close (relative to the best) count as tied. The order in
 * which TopK hands over the neighbours differs between backends (and between
 * its unsorted and sorted forms), and a k-term float64 sum rounds differently
 * in another order (by up to ~k * 1.1e-16 relative): classes whose weights
 * are the same multiset (duplicate bank rows) would split either way.
 */
const TIE_SLACK = 1e-12;

/** Adds exp((s - top1) / t) of every neighbour to its class, in `order` (positions in the row) or as given. */
function vote(
  scores: Float64Array,
  labels: Int32Array,
  row: Neighbours,
  top1: number,
  temperature: number,
  order?: Int32Array,
): void {
  scores.fill(0);
  for (let j = 0; j < row.k; j++) {
    const p = order === undefined ? j : order[j]!;
    scores[labels[row.idx[row.idxBase + p]!]!] += Math.exp((row.sim[row.simBase + p]! - top1) / temperature);
  }
}

/** True when two neighbouring ranks of `order` have positive scores within {@link TIE_SLACK}. */
function nearlyTied(scores: Float64Array, order: Int32Array): boolean {
  const slack = TIE_SLACK * scores[order[0]!]!;
  for (let j = 0; j + 1 < order.length; j++) {
    const next = scores[order[j + 1]!]!;
    if (next > 0 && scores[order[j]!]! - next <= slack) return true;
  }
  return false;
}

/**
 * The row's neighbour positions by similarity, largest first: summed in this
 * order, every class adds its weights in value order, so classes with the same
 * multiset of weights get bit-identical scores (then ties go to the lower id),
 * whatever order TopK returned.
 */
function byWeight(row: Neighbours): Int32Array {
  const { sim, simBase } = row;
  return Int32Array.from({ length: row.k }, (_, j) => j).sort((a, b) => sim[simBase + b]! - sim[simBase + a]!);
}

/** Indices of the `count` largest scores, best first, ties to the lower index. */
function bestClasses(scores: Float64Array, count: number): Int32Array {
  const out = new Int32Array(count).fill(-1);
  for (let c = 0; c < scores.length; c++) {
    const s = scores[c]!;
    let pos = count;
    while (pos > 0 && (out[pos - 1]! < 0 || s > scores[out[pos - 1]!]!)) pos--;
    if (pos >= count) continue;
    for (let j = count - 1; j > pos; j--) out[j] = out[j - 1]!;
    out[pos] = c;
  }
  return out;
}
