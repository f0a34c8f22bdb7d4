/**
 * Train-mode batch normalisation over groups of the batch, with a
 * hand-written gradient (the closed-form BatchNorm backward pass) instead of
 * differentiating through `tf.moments`. Every reduction is one sum over the
 * contiguous `(samples, positions)` axes of the `[groups, samples, positions,
 * channels]` view.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

/** Statistics of one train-mode call, averaged over the groups; `[channels]` each. */
export interface GroupStatistics {
  /** Mean over groups of the per-group mean. */
  mean: Tensor;
  /** Mean over groups of the per-group biased variance. */
  variance: Tensor;
}

/**
 * Sum over samples and spatial positions within each group: [G, B, S, C] -> [G, 1, 1, C].
 * One reduction over the contiguous middle axes (one XNNPACK average pooling
 * with @contrastive/backend's wasm kernels).
 */
function groupSum(t: Tensor): Tensor {
  return tf.sum(t, [1, 2], true);
}

/**
 * y = (x - mean_g) / sqrt(var_g + epsilon) * gamma + beta (then max(y, 0) when
 * `relu`), with mean_g and the
 * biased var_g computed per group of `batch / groups` consecutive samples over
 * all axes but the last (channels).
 *
 * Shapes: x `[batch, ..., C]` (rank >= 2, batch divisible by `groups`), gamma
 * and beta `[C]`; y has x's shape. Gradients flow to x, gamma and beta.
 * `stats` receives the group-averaged mean and variance (`[C]`, owned by the
 * caller) for the running averages.
 */
export function batchNormTraining(
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  options: { groups: number; epsilon: number; relu?: boolean; stats: (s: GroupStatistics) => void },
): Tensor {
  const { groups, epsilon } = options;
  const relu = options.relu === true;
  const batch = x.shape[0]!;
  const channels = x.shape[x.rank - 1]!;
  const perGroup = batch / groups;
  const spatial = x.size / (batch * channels);
  const shape4 = [groups, perGroup, spatial, channels] as const;
  const count = perGroup * spatial;

  const op = tf.customGrad((...args: unknown[]) => {
    const [input, g, b, save] = args as [Tensor, Tensor, Tensor, tf.GradSaveFunc];
    const x4 = tf.reshape(input, [...shape4]);
    const mean = tf.div(groupSum(x4), count);
    const centered = tf.sub(x4, mean);
    const variance = tf.div(groupSum(tf.square(centered)), count);
    const invStd = tf.rsqrt(tf.add(variance, epsilon));
    const normalized = tf.add(tf.mul(centered, tf.mul(invStd, g)), b);
    const y = tf.reshape(relu ? tf.relu(normalized) : normalized, input.shape);
    // Saved: the input (a layer output, alive until the forward pass ends
    // anyway; saving the centred input instead would add one full-size tensor
    // per layer to the forward peak), mean, 1/std and gamma; with the fused
    // ReLU also the output (the next conv saves it anyway). Gamma is read from
    // the saved list, not from the closure: a caller's gamma that is not a
    // variable (the layer's ones without `scale`) is disposed when its scope
    // ends, before the backward pass runs.
    save(relu ? [input, mean, invStd, g, y] : [input, mean, invStd, g]);
    options.stats({
      mean: tf.keep(tf.reshape(tf.mean(mean, 0), [channels])),
      variance: tf.keep(tf.reshape(tf.mean(variance, 0), [channels])),
    });
    return {
      value: y,
      // The engine calls gradFunc outside any tidy and keeps every tensor it
      // creates until the whole backward pass ends: tidy the temporaries here.
      gradFunc: (dy: Tensor, saved: Tensor[]) => tf.tidy(() => {
        const [savedInput, savedMean, inv, savedGamma, out] = saved as [Tensor, Tensor, Tensor, Tensor, Tensor | undefined];
        const xc = tf.sub(tf.reshape(savedInput, [...shape4]), savedMean);
        const dy4 = tf.reshape(out === undefined ? dy : tf.mul(dy, tf.step(out)), [...shape4]);
        const sumDy = groupSum(dy4);
        const sumDyXc = groupSum(tf.mul(dy4, xc));
        const k = tf.mul(inv, savedGamma);
        // dx = k * (dy - sum(dy)/M - xc * inv^2 * sum(dy * xc)/M)
        const xcCoef = tf.mul(tf.mul(k, tf.square(inv)), tf.div(sumDyXc, -count));
        const constant = tf.mul(k, tf.div(sumDy, -count));
        const dx = tf.add(tf.add(tf.mul(dy4, k), tf.mul(xc, xcCoef)), constant);
        const dGamma = tf.reshape(tf.sum(tf.mul(sumDyXc, inv), [0, 1, 2]), [channels]);
        const dBeta = tf.reshape(tf.sum(sumDy, [0, 1, 2]), [channels]);
        return [tf.reshape(dx, input.shape), dGamma, dBeta];
      }),
    };
  });
  return (op as unknown as (a: Tensor, b: Tensor, c: Tensor) => Tensor)(x, gamma, beta);
}
