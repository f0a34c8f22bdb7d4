/**
 * Split BatchNorm: batch normalisation whose training-mode statistics are
 * computed separately over `numGroups` equal slices of the batch. With
 * `numGroups = 8` it is the single-device stand-in for MoCo's shuffle-BN used
 * by the MoCo CIFAR-10 demo (spec §0.4); with `numGroups = 1` it is a plain
 * BatchNorm with PyTorch's conventions (unbiased running variance) that can
 * also drop its affine terms, which tfjs-layers' own BatchNormalization
 * cannot do in training mode.
 *
 * Registered with `tf.serialization`, so models containing it save and load.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { initializers, layers } from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { argumentError, assertInRange, assertInteger, assertPositive, describeShape } from '@contrastive/core';
import { batchNormTraining } from './batch-norm-training';
import type { GroupStatistics } from './batch-norm-training';

/** Options of {@link SplitBatchNormalization} (channels-last inputs only). */
export interface SplitBatchNormalizationArgs {
  /** Number of equal batch slices with their own statistics. Default 1. MoCo CIFAR demo: 8. */
  numGroups?: number;
  /**
   * Keras-style decay of the running statistics:
   * `running = momentum * running + (1 - momentum) * batch`. Default 0.9, i.e.
   * PyTorch's BatchNorm momentum 0.1.
   */
  momentum?: number;
  /** Added to the variance before the square root. Default 1e-5 (PyTorch). */
  epsilon?: number;
  /** Learn a per-channel offset beta (init 0). Default true. */
  center?: boolean;
  /** Learn a per-channel scale gamma. Default true. */
  scale?: boolean;
  /** Initial gamma: 'ones' (default) or 'zeros' (zero-init residual, Goyal et al. 2017). */
  gammaInitializer?: 'ones' | 'zeros';
  /**
   * 'relu' applies max(., 0) after the normalisation inside the same op, so
   * training keeps one activation tensor instead of two. Default 'linear'.
   */
  activation?: 'linear' | 'relu';
  /** Layer name, unique within a model. */
  name?: string;
  /** Whether gamma and beta are trainable. Default true. */
  trainable?: boolean;
}

/** Defaults of {@link SplitBatchNormalizationArgs} (PyTorch BatchNorm2d, one group). */
export const SPLIT_BATCH_NORM_DEFAULTS = Object.freeze({
  numGroups: 1,
  momentum: 0.9,
  epsilon: 1e-5,
  center: true,
  scale: true,
  gammaInitializer: 'ones' as 'ones' | 'zeros',
  activation: 'linear' as 'linear' | 'relu',
});

const FN = 'SplitBatchNormalization';

/**
 * The layer. Inputs `[batch, ..., channels]` (rank >= 2); output has the
 * input's shape.
 *
 * - Training (`apply(x, { training: true })`): the batch is cut into
 *   `numGroups` consecutive slices of `batch / numGroups` samples; each slice
 *   is normalised with its own mean and biased variance over all axes but
 *   channels. The running mean and variance move towards the average over the
 *   slices of the slice mean and the unbiased slice variance, as MoCo's
 *   SplitBatchNorm does.
 * - Inference: normalises with the running statistics, as plain BatchNorm.
 *
 * Throws `SHAPE_MISMATCH` in training when the batch is not divisible by
 * `numGroups`.
 */
export class SplitBatchNormalization extends layers.Layer {
  static className = 'SplitBatchNormalization';

  readonly numGroups: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly gammaInit: 'ones' | 'zeros';
  readonly activation: 'linear' | 'relu';
  private gamma: LayerVariable | null = null;
  private beta: LayerVariable | null = null;
  private movingMean: LayerVariable | null = null;
  private movingVariance: LayerVariable | null = null;

  constructor(args: SplitBatchNormalizationArgs = {}) {
    super({ ...(args.name === undefined ? {} : { name: args.name }), trainable: args.trainable ?? true });
    const o = { ...SPLIT_BATCH_NORM_DEFAULTS, ...stripUndefined(args) };
    assertInteger(FN, 'numGroups', o.numGroups, 1);
    assertInRange(FN, 'momentum', o.momentum, { min: 0, max: 1 });
    assertPositive(FN, 'epsilon', o.epsilon);
    if (o.gammaInitializer !== 'ones' && o.gammaInitializer !== 'zeros') {
      throw argumentError('INVALID_ARGUMENT', FN, 'gammaInitializer', "'ones' or 'zeros'", String(o.gammaInitializer));
    }
    if (o.activation !== 'linear' && o.activation !== 'relu') {
      throw argumentError('UNKNOWN_NAME', FN, 'activation', "'linear' or 'relu'", String(o.activation));
    }
    this.activation = o.activation;
    this.numGroups = o.numGroups;
    this.momentum = o.momentum;
    this.epsilon = o.epsilon;
    this.center = o.center;
    this.scale = o.scale;
    this.gammaInit = o.gammaInitializer;
    this.supportsMasking = true;
  }

  override build(inputShape: (number | null)[] | (number | null)[][]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const channels = shape[shape.length - 1];
    if (shape.length < 2 || channels === null || channels === undefined) {
      throw argumentError('SHAPE_MISMATCH', FN, 'inputs', 'of rank >= 2 with a known channel size', `[${shape.join(',')}]`);
    }
    const c = [channels];
    if (this.scale) {
      const init = this.gammaInit === 'ones' ? initializers.ones() : initializers.zeros();
      this.gamma = this.addWeight('gamma', c, 'float32', init, undefined, true);
    }
    if (this.center) this.beta = this.addWeight('beta', c, 'float32', initializers.zeros(), undefined, true);
    this.movingMean = this.addWeight('moving_mean', c, 'float32', initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight('moving_variance', c, 'float32', initializers.ones(), undefined, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: (number | null)[] | (number | null)[][]): (number | null)[] | (number | null)[][] {
    return inputShape;
  }

  override call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const training = kwargs['training'] === true;
      const gamma = this.gamma?.read();
      const beta = this.beta?.read();
      if (!training) {
        // An absent beta or gamma is passed as zeros or ones: tf.batchNorm
        // records a missing offset or scale as an undefined input, which
        // makes every gradient through the layer throw (tfjs's tape reads the
        // id of each input). The kernels compute the same values either way.
        const channels = x.shape[x.rank - 1]!;
        const offset = beta ?? tf.zeros([channels]);
        const scale = gamma ?? tf.ones([channels]);
        const y = tf.batchNorm(x, this.movingMean!.read(), this.movingVariance!.read(), offset, scale, this.epsilon);
        return this.activation === 'relu' ? tf.relu(y) : y;
      }
      return this.normalizeTraining(x, gamma, beta);
    });
  }

  private normalizeTraining(x: Tensor, gamma: Tensor | undefined, beta: Tensor | undefined): Tensor {
    const g = this.numGroups;
    const batch = x.shape[0]!;
    if (batch % g !== 0) {
      throw argumentError('SHAPE_MISMATCH', FN, 'inputs', `a batch divisible by numGroups = ${g}`, describeShape(x.shape));
    }
    const channels = x.shape[x.rank - 1]!;
    let stats: GroupStatistics | undefined;
    const y = batchNormTraining(x, gamma ?? tf.ones([channels]), beta ?? tf.zeros([channels]), {
      groups: g,
      epsilon: this.epsilon,
      relu: this.activation === 'relu',
      stats: (s) => {
        stats = s;
      },
    });
    const { mean, variance } = stats!;
    // PyTorch updates the running variance with the unbiased estimate.
    const count = x.size / channels / g;
    const unbiased = count > 1 ? count / (count - 1) : 1;
    this.updateRunning(this.movingMean!, mean, 1);
    this.updateRunning(this.movingVariance!, variance, unbiased);
    tf.dispose([mean, variance]);
    return y;
  }

  private updateRunning(variable: LayerVariable, batchValue: Tensor, factor: number): void {
    tf.tidy(() => {
      const old = variable.read();
      variable.write(tf.add(tf.mul(old, this.momentum), tf.mul(batchValue, (1 - this.momentum) * factor)));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numGroups: this.numGroups,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      gammaInitializer: this.gammaInit,
      activation: this.activation,
    };
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

tf.serialization.registerClass(SplitBatchNormalization);

/** Creates a {@link SplitBatchNormalization} layer. */
export function splitBatchNormalization(args: SplitBatchNormalizationArgs = {}): SplitBatchNormalization {
  return new SplitBatchNormalization(args);
}
