/**
 * Float64 references for @contrastive/encoders and @contrastive/momentum:
 * train-mode (split) BatchNorm, the EMA update and the FIFO queue write.
 * Plain loops over row-major arrays, written from the definitions.
 */

/** Result of {@link groupBatchNormReference}. */
export interface GroupBatchNormResult {
  /** Normalised output, same layout as the input. */
  y: Float64Array;
  /** Per-group mean, `[groups][channels]`. */
  groupMean: Float64Array[];
  /** Per-group biased variance, `[groups][channels]`. */
  groupVariance: Float64Array[];
}

/**
 * Train-mode BatchNorm where the batch is cut into `groups` consecutive
 * slices, each normalised with its own mean and biased variance over all
 * positions of the slice. `x` is `[batch, positions, channels]` row-major
 * (positions = product of the spatial sizes).
 */
export function groupBatchNormReference(
  x: ArrayLike<number>,
  shape: { batch: number; positions: number; channels: number },
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  options: { groups: number; epsilon: number },
): GroupBatchNormResult {
  const { batch, positions, channels } = shape;
  const { groups, epsilon } = options;
  const perGroup = batch / groups;
  const count = perGroup * positions;
  const y = new Float64Array(batch * positions * channels);
  const groupMean: Float64Array[] = [];
  const groupVariance: Float64Array[] = [];
  for (let g = 0; g < groups; g++) {
    const start = g * perGroup * positions * channels;
    const mean = new Float64Array(channels);
    const variance = new Float64Array(channels);
    for (let i = 0; i < count; i++) for (let c = 0; c < channels; c++) mean[c]! += x[start + i * channels + c]!;
    for (let c = 0; c < channels; c++) mean[c] = mean[c]! / count;
    for (let i = 0; i < count; i++) {
      for (let c = 0; c < channels; c++) {
        const d = x[start + i * channels + c]! - mean[c]!;
        variance[c]! += d * d;
      }
    }
    for (let c = 0; c < channels; c++) variance[c] = variance[c]! / count;
    for (let i = 0; i < count; i++) {
      for (let c = 0; c < channels; c++) {
        const k = start + i * channels + c;
        y[k] = ((x[k]! - mean[c]!) / Math.sqrt(variance[c]! + epsilon)) * gamma[c]! + beta[c]!;
      }
    }
    groupMean.push(mean);
    groupVariance.push(variance);
  }
  return { y, groupMean, groupVariance };
}

/**
 * PyTorch-style running statistics after one train-mode step of split BN:
 * running = (1 - m) running + m * mean over groups of (group mean, unbiased group variance),
 * with m = 1 - keras momentum.
 */
export function runningStatsReference(
  result: GroupBatchNormResult,
  count: number,
  previous: { mean: ArrayLike<number>; variance: ArrayLike<number> },
  kerasMomentum: number,
): { mean: Float64Array; variance: Float64Array } {
  const channels = previous.mean.length;
  const groups = result.groupMean.length;
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    let m = 0;
    let v = 0;
    for (let g = 0; g < groups; g++) {
      m += result.groupMean[g]![c]! / groups;
      v += (result.groupVariance[g]![c]! * count) / (count - 1) / groups;
    }
    mean[c] = kerasMomentum * previous.mean[c]! + (1 - kerasMomentum) * m;
    variance[c] = kerasMomentum * previous.variance[c]! + (1 - kerasMomentum) * v;
  }
  return { mean, variance };
}

/**
 * One EMA step in float32 arithmetic, as tfjs computes it:
 * fround(fround(k * m) + fround(q * fround(1 - m))).
 */
export function emaStepFloat32(key: ArrayLike<number>, online: ArrayLike<number>, momentum: number): Float32Array {
  const m = Math.fround(momentum);
  const oneMinus = Math.fround(1 - momentum);
  const out = new Float32Array(key.length);
  for (let i = 0; i < key.length; i++) {
    out[i] = Math.fround(Math.fround(key[i]! * m) + Math.fround(online[i]! * oneMinus));
  }
  return out;
}

/** BYOL's cosine momentum schedule: 1 - (1 - m0) (cos(pi k / K) + 1) / 2, and 1 after K. */
export function cosineMomentumReference(base: number, step: number, totalSteps: number): number {
  if (step >= totalSteps) return 1;
  return 1 - ((1 - base) * (Math.cos((Math.PI * step) / totalSteps) + 1)) / 2;
}

/**
 * The queue after writing `keys` (rows) one by one at `pointer`, wrapping at
 * `size`: row r of the batch lands at (pointer + r) mod size. Returns the new
 * rows and pointer.
 */
export function queueWriteReference(
  queue: readonly Float64Array[],
  pointer: number,
  keys: readonly Float64Array[],
): { queue: Float64Array[]; pointer: number } {
  const size = queue.length;
  const out = queue.map((r) => Float64Array.from(r));
  let p = pointer;
  for (const key of keys) {
    out[p] = Float64Array.from(key);
    p = (p + 1) % size;
  }
  return { queue: out, pointer: p };
}
