/**
 * Weighted kNN monitor (InstDisc-style, MoCo demo settings), spec §7.2.
 *
 * For each test feature f: s_n = f . bank_n (cosine on L2-normalised
 * features), take the top-k neighbours, weight each by exp(s_n / t),
 * score_c = sum of the weights of neighbours labelled c, predict argmax.
 * Top-5 uses the five best class scores. Defaults k = 200, t = 0.1 (MoCo
 * CIFAR demo).
 *
 * Memory: test rows are processed in chunks so that one [chunkRows, N]
 * similarity matrix exists at a time; the k neighbours' labels and weights
 * are read back and voted in JavaScript (float64), which needs no
 * [rows, k, classes] one-hot tensor. The (normalised) test rows are read
 * back once (M x d float32) and each chunk is uploaded from that copy.
 *
 * Cost on wasm (10,000 queries x 50,000 x 128, k = 200): about 70% the
 * similarity matmul (XNNPACK, ~32 GFLOP/s on one thread) and 25-30% TopK.
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
  /** Elements of one [chunkRows, N] similarity matrix. Default 2^23 (32 MB). */
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

function checkFeatures(fn: string, name: string, t: Tensor2D): void {
  assertRank(fn, name, t, 2);
  assertDtype(fn, name, t, 'float32');
  assertNonEmpty(fn, name, t);
}

/**
 * Weighted kNN classification of `testFeatures` ([M, d] float32) against a
 * bank `trainFeatures` ([N, d] float32) with int32 labels `trainLabels`
 * ([N], tensor or array). Inputs are borrowed; returns typed arrays.
 *
 * @example
 * const { top1Accuracy } = await knnClassify(bank, bankLabels, test, { testLabels, k: 200, temperature: 0.1 });
 */
export async function knnClassify(
  trainFeatures: Tensor2D,
  trainLabels: Labels | Tensor1D,
  testFeatures: Tensor2D,
  options: KnnOptions = {},
): Promise<KnnResult> {
  const fn = 'knnClassify';
  const o = withDefaults(KNN_DEFAULTS, options);
  checkFeatures(fn, 'trainFeatures', trainFeatures);
  checkFeatures(fn, 'testFeatures', testFeatures);
  const [n, d] = trainFeatures.shape;
  const m = testFeatures.shape[0];
  if (testFeatures.shape[1] !== d) {
    throw argumentError('SHAPE_MISMATCH', fn, 'testFeatures', `of shape [*,${d}]`, describeShape(testFeatures.shape));
  }
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

  // The bank is transposed once: tfjs-wasm's matMul with transposeB is slow.
  const bankT = tf.tidy(() => tf.transpose(o.normalize ? l2Normalize(trainFeatures, 1) : trainFeatures));
  // Queries are normalised once and read back; chunks are uploaded from the copy, because
  // tfjs-wasm's Slice copies its whole input out of the heap on every call.
  const queryTensor = o.normalize ? tf.tidy(() => l2Normalize(testFeatures, 1)) : testFeatures;
  let queries: Float32Array;
  try {
    queries = (await queryTensor.data()) as Float32Array;
  } finally {
    if (queryTensor !== testFeatures) queryTensor.dispose();
  }
  const predictions = new Int32Array(m);
  const top5 = new Int32Array(m * top);
  const scores = new Float64Array(numClasses);
  const rowsPerChunk = Math.max(1, Math.floor(o.chunkElements / n));
  try {
    for (let start = 0; start < m; start += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, m - start);
      const { values, indices } = tf.tidy(() => {
        const q = tf.tensor2d(queries.subarray(start * d, (start + rows) * d), [rows, d]);
        const sims = tf.matMul(q, bankT);
        // Unsorted top-k is about twice as fast on wasm; the votes need no order.
        return tf.topk(sims, k, false);
      });
      const [sim, idx] = await Promise.all([values.data(), indices.data()]);
      tf.dispose([values, indices]);
      for (let r = 0; r < rows; r++) {
        const base = r * k;
        // Weights relative to the nearest neighbour: the argmax is unchanged and
        // exp cannot overflow at small temperatures.
        let top1 = -Infinity;
        for (let j = 0; j < k; j++) top1 = Math.max(top1, sim[base + j]!);
        vote(scores, labels, sim, idx, base, k, top1, o.temperature);
        let order = bestClasses(scores, ranked);
        if (nearlyTied(scores, order)) {
          vote(scores, labels, sim, idx, base, k, top1, o.temperature, byWeight(sim, base, k));
          order = bestClasses(scores, ranked);
        }
        predictions[start + r] = order[0]!;
        top5.set(order.subarray(0, top), (start + r) * top);
      }
    }
  } finally {
    bankT.dispose();
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
  sim: ArrayLike<number>,
  idx: ArrayLike<number>,
  base: number,
  k: number,
  top1: number,
  temperature: number,
  order?: Int32Array,
): void {
  scores.fill(0);
  for (let j = 0; j < k; j++) {
    const p = base + (order === undefined ? j : order[j]!);
    scores[labels[idx[p]!]!] += Math.exp((sim[p]! - top1) / temperature);
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
function byWeight(sim: ArrayLike<number>, base: number, k: number): Int32Array {
  return Int32Array.from({ length: k }, (_, j) => j).sort((a, b) => sim[base + b]! - sim[base + a]!);
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
