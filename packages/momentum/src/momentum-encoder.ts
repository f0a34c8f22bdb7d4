/**
 * The momentum (EMA, "key") encoder of MoCo, PCL, SiMo, BYOL-style methods
 * (spec §0.4): a copy of the online model whose parameters follow the online
 * parameters by an exponential moving average and which is never trained.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel, LayerVariable } from '@tensorflow/tfjs-layers';
import { argumentError, assertInteger, describeShape } from '@contrastive/core';
import { assertAlive } from './disposed';
import { checkMomentumSchedule, momentumAt } from './momentum-schedule';
import type { MomentumSchedule, MomentumScheduleName } from './momentum-schedule';

/** Options of {@link createMomentumEncoder}. */
export interface MomentumEncoderOptions {
  /**
   * EMA momentum m (or m0 of the cosine schedule), in [0, 1]. Default 0.999
   * (MoCo v1/v2 ImageNet, PCL, SiMo); MoCo CIFAR-10 demo 0.99; BYOL 0.996.
   */
  momentum?: number;
  /** 'constant' (default) or 'cosine' (rises to 1 over `totalSteps`, BYOL / MoCo v3). */
  schedule?: MomentumScheduleName;
  /** Steps K of the cosine schedule; required for 'cosine'. */
  totalSteps?: number;
}

/** Defaults of {@link MomentumEncoderOptions}. */
export const MOMENTUM_ENCODER_DEFAULTS = Object.freeze({ momentum: 0.999, schedule: 'constant' as MomentumScheduleName });

/** Checkpoint state of a {@link MomentumEncoder}. */
export interface MomentumEncoderState {
  /** Number of updates applied so far (the next default step). */
  step: number;
  /**
   * Every weight of the key model (parameters and BN statistics), in the order
   * of the online model's `weights` at creation.
   */
  weights: Tensor[];
}

/** The key encoder. */
export interface MomentumEncoder {
  /**
   * The key model: same architecture as the online model, all weights
   * non-trainable (not in `tf.variableGrads`' default list, no gradients).
   * Run it with `model.apply(x, { training: true })` for MoCo-style keys; a
   * train-mode pass updates its own BN running statistics, as in MoCo. Compute
   * keys outside the closure given to `optimizer.minimize` so the tape does not
   * hold their activations.
   */
  readonly model: LayersModel;
  /** Updates applied so far. */
  readonly step: number;
  /** The momentum the schedule gives at `step`. */
  momentumAt(step: number): number;
  /**
   * The only mutation of parameters: theta_k = m theta_k + (1 - m) theta_q for
   * every trainable parameter of the online model, with m = momentumAt(step)
   * (default: the current step counter). BN running statistics are not copied.
   * Afterwards the step counter is step + 1. Returns m.
   */
  update(step?: number): number;
  /** Copies of the state (caller disposes the tensors). */
  getState(): MomentumEncoderState;
  /** Restores a state (tensors are borrowed; values are copied). */
  setState(state: MomentumEncoderState): void;
  /** Frees the key model's weights; later calls throw `DISPOSED`. */
  dispose(): void;
}

interface Pair {
  online: LayerVariable;
  key: LayerVariable;
}

interface LayerLike {
  trainable: boolean;
  layers?: LayerLike[];
}

/** Marks every (nested) layer non-trainable; tfjs' Container setter skips nested models. */
function freeze(layer: LayerLike): void {
  for (const inner of layer.layers ?? []) freeze(inner);
  layer.trainable = false;
}

function cloneModel(online: LayersModel): LayersModel {
  const cls = online.constructor as unknown as {
    fromConfig(c: unknown, config: tf.serialization.ConfigDict, custom: tf.serialization.ConfigDict, fast: boolean): LayersModel;
  };
  return cls.fromConfig(cls, online.getConfig(), {}, true);
}

/**
 * Creates the momentum encoder of `online` (borrowed: it stays owned and
 * trained by the caller): a clone of its architecture with copies of all its
 * weights, frozen. Throws `INVALID_ARGUMENT` if the clone's weights do not
 * line up with the online model's.
 *
 * @example
 * const key = createMomentumEncoder(encoder.model, { momentum: 0.99 });
 * // each step, before the key forward pass (MoCo order):
 * key.update();
 * const [, k] = key.model.apply(images2, { training: true }) as tf.Tensor[];
 */
export function createMomentumEncoder(online: LayersModel, options: MomentumEncoderOptions = {}): MomentumEncoder {
  const fn = 'createMomentumEncoder';
  const schedule: MomentumSchedule = checkMomentumSchedule(fn, {
    momentum: options.momentum ?? MOMENTUM_ENCODER_DEFAULTS.momentum,
    schedule: options.schedule ?? MOMENTUM_ENCODER_DEFAULTS.schedule,
    ...(options.totalSteps === undefined ? {} : { totalSteps: options.totalSteps }),
  });
  const model = cloneModel(online);
  const onlineWeights = online.weights;
  const keyWeights = model.weights;
  if (onlineWeights.length !== keyWeights.length) {
    model.dispose();
    throw argumentError('INVALID_ARGUMENT', fn, 'online', 'a model whose config rebuilds the same weights', `${keyWeights.length} weights in the clone, ${onlineWeights.length} in the model`);
  }
  const pairs: Pair[] = [];
  tf.tidy(() => {
    onlineWeights.forEach((w, i) => {
      const k = keyWeights[i]!;
      if (k.originalName !== w.originalName || !tf.util.arraysEqual(k.shape as number[], w.shape as number[])) {
        throw argumentError('INVALID_ARGUMENT', fn, 'online', 'a model whose config rebuilds the same weights', `${k.originalName} ${describeShape(k.shape as number[])} vs ${w.originalName}`);
      }
      k.write(w.read());
      if (w.trainable) pairs.push({ online: w, key: k });
    });
  });
  freeze(model as unknown as LayerLike);

  let step = 0;
  let disposed = false;
  return {
    model,
    get step() {
      return step;
    },
    momentumAt(s: number): number {
      return momentumAt(schedule, s);
    },
    update(at?: number): number {
      assertAlive(disposed, 'MomentumEncoder.update');
      const s = at ?? step;
      assertInteger('MomentumEncoder.update', 'step', s, 0);
      const m = momentumAt(schedule, s);
      tf.tidy(() => {
        const mT = tf.scalar(m);
        const rest = tf.scalar(1 - m);
        for (const { online: q, key: k } of pairs) {
          k.write(tf.add(tf.mul(k.read(), mT), tf.mul(q.read(), rest)));
        }
      });
      step = s + 1;
      return m;
    },
    getState(): MomentumEncoderState {
      assertAlive(disposed, 'MomentumEncoder.getState');
      return { step, weights: keyWeights.map((w) => tf.clone(w.read())) };
    },
    setState(state: MomentumEncoderState): void {
      const name = 'MomentumEncoder.setState';
      assertAlive(disposed, name);
      assertInteger(name, 'state.step', state.step, 0);
      const weights = keyWeights;
      if (state.weights.length !== weights.length) {
        throw argumentError('SHAPE_MISMATCH', name, 'state.weights', `${weights.length} tensors`, `${state.weights.length}`);
      }
      weights.forEach((w, i) => {
        const t = state.weights[i]!;
        if (!tf.util.arraysEqual(t.shape, w.shape as number[])) {
          throw argumentError('SHAPE_MISMATCH', name, `state.weights[${i}]`, `of shape ${describeShape(w.shape as number[])}`, describeShape(t.shape));
        }
      });
      tf.tidy(() => weights.forEach((w, i) => w.write(tf.clone(state.weights[i]!))));
      step = state.step;
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      model.dispose();
    },
  };
}
