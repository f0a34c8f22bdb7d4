/**
 * The optimizer interface shared by {@link createSgd}, {@link createLars} and
 * {@link createAdamW}, and the machinery they share: per-variable slot
 * variables, gradient lookup, tidy updates, state save/restore.
 *
 * Like PyTorch, an optimizer owns a fixed, ordered list of variables given at
 * creation. Its state is keyed by position in that list (not by tfjs variable
 * name, which changes when a model is rebuilt), so a checkpoint restores into
 * a freshly built model with the same architecture.
 */
import * as tf from '@tensorflow/tfjs-core';
import { argumentError, assertNonNegative, ContrastiveError } from '@contrastive/core';
import { resolveVariables, type VariableLike } from './variables';

/** Which optimizer a state belongs to. */
export type OptimizerKind = 'sgd' | 'lars' | 'adamw';

/**
 * Saved optimizer state. `slots` maps `<slot>/<variableIndex>` (e.g. `momentum/3`)
 * to a tensor. From `getState()` the tensors are copies owned by the caller;
 * `setState()` copies values in and leaves ownership with the caller.
 */
export interface OptimizerState {
  readonly kind: OptimizerKind;
  /** Number of `applyGradients` calls so far. */
  readonly iterations: number;
  /** Learning rate in effect when the state was taken. */
  readonly learningRate: number;
  /** Per-variable update counts (AdamW bias correction, SGD first-step buffer rule). */
  readonly steps: readonly number[];
  readonly slots: Readonly<Record<string, tf.Tensor>>;
}

/** Gradients by variable name (as returned by `tf.variableGrads`) or aligned with the variable list. */
export type Gradients = tf.NamedTensorMap | readonly (tf.Tensor | null | undefined)[];

/** An optimizer over a fixed list of variables. */
export interface TrainOptimizer {
  readonly kind: OptimizerKind;
  /** The variables it updates, in order. */
  readonly variables: readonly tf.Variable[];
  /** The current learning rate. */
  readonly learningRate: number;
  /** Number of `applyGradients` calls so far. */
  readonly iterations: number;
  /** Sets the learning rate for the next updates (call it with a schedule's value each step). */
  setLearningRate(lr: number): void;
  /**
   * Applies one update. Variables without a gradient are skipped (PyTorch skips
   * `grad is None`). Gradients are borrowed, not disposed.
   */
  applyGradients(gradients: Gradients): void;
  /**
   * Computes gradients of `loss` with respect to the variables, applies them and
   * returns the loss value (a Scalar the caller disposes).
   */
  minimize(loss: () => tf.Scalar): tf.Scalar;
  getState(): OptimizerState;
  setState(state: OptimizerState): void;
  /** Frees the slot variables; later calls throw `DISPOSED`. */
  dispose(): void;
}

/** One variable's update: returns the new parameter and new slot values (all inside tidy). */
export type UpdateRule = (args: {
  index: number;
  param: tf.Tensor;
  grad: tf.Tensor;
  slots: Record<string, tf.Tensor>;
  /** Update count of this variable including the current one (1 on the first update). */
  step: number;
  lr: number;
}) => { param: tf.Tensor; slots: Record<string, tf.Tensor> };

interface CoreOptions {
  fn: string;
  kind: OptimizerKind;
  variables: readonly VariableLike[];
  learningRate: number;
  slotNames: readonly string[];
  rule: UpdateRule;
}

export function checkLearningRate(fn: string, lr: number): void {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
    throw argumentError('OUT_OF_RANGE', fn, 'learningRate', 'a finite number >= 0', String(lr));
  }
}

/** Builds a {@link TrainOptimizer} from an update rule. */
export function createOptimizerCore(options: CoreOptions): TrainOptimizer {
  const { fn, kind, slotNames, rule } = options;
  const variables = resolveVariables(fn, options.variables);
  checkLearningRate(fn, options.learningRate);
  let lr = options.learningRate;
  let iterations = 0;
  let disposed = false;
  const steps = variables.map(() => 0);
  const slots: tf.Variable[][] = variables.map((v) =>
    slotNames.map(() => tf.tidy(() => tf.variable(tf.zerosLike(v), false))),
  );

  const live = (method: string): void => {
    if (disposed) throw new ContrastiveError('DISPOSED', `${fn}.${method}: the optimizer was disposed`, { fn });
  };

  const gradientAt = (gradients: Gradients, i: number): tf.Tensor | null => {
    const g = Array.isArray(gradients)
      ? (gradients as readonly (tf.Tensor | null | undefined)[])[i]
      : (gradients as tf.NamedTensorMap)[variables[i]!.name];
    if (g === null || g === undefined) return null;
    const v = variables[i]!;
    if (!(g instanceof tf.Tensor) || g.shape.length !== v.shape.length || g.shape.some((d, k) => d !== v.shape[k])) {
      throw argumentError(
        'SHAPE_MISMATCH',
        `${fn}.applyGradients`,
        `gradients[${v.name}]`,
        `a tensor of shape [${v.shape.join(',')}]`,
        g instanceof tf.Tensor ? `[${g.shape.join(',')}]` : typeof g,
      );
    }
    return g;
  };

  const self: TrainOptimizer = {
    kind,
    variables,
    get learningRate() {
      return lr;
    },
    get iterations() {
      return iterations;
    },
    setLearningRate(next) {
      live('setLearningRate');
      checkLearningRate(`${fn}.setLearningRate`, next);
      lr = next;
    },
    applyGradients(gradients) {
      live('applyGradients');
      if (!Array.isArray(gradients) && (gradients === null || typeof gradients !== 'object')) {
        throw argumentError('INVALID_ARGUMENT', `${fn}.applyGradients`, 'gradients', 'a NamedTensorMap or an array', String(gradients));
      }
      for (let i = 0; i < variables.length; i++) {
        const grad = gradientAt(gradients, i);
        if (grad === null) continue;
        steps[i]! += 1;
        tf.tidy(() => {
          const current: Record<string, tf.Tensor> = {};
          slotNames.forEach((s, k) => (current[s] = slots[i]![k]!));
          const out = rule({ index: i, param: variables[i]!, grad, slots: current, step: steps[i]!, lr });
          variables[i]!.assign(out.param);
          slotNames.forEach((s, k) => slots[i]![k]!.assign(out.slots[s]!));
        });
      }
      iterations += 1;
    },
    minimize(loss) {
      live('minimize');
      const { value, grads } = tf.variableGrads(loss, variables);
      try {
        self.applyGradients(grads);
      } finally {
        tf.dispose(grads);
      }
      return value;
    },
    getState() {
      live('getState');
      const out: Record<string, tf.Tensor> = {};
      slots.forEach((list, i) => list.forEach((t, k) => (out[`${slotNames[k]}/${i}`] = tf.clone(t))));
      return { kind, iterations, learningRate: lr, steps: [...steps], slots: out };
    },
    setState(state) {
      live('setState');
      const f = `${fn}.setState`;
      if (state === null || typeof state !== 'object' || state.kind !== kind) {
        throw argumentError('INVALID_ARGUMENT', f, 'state', `the state of a '${kind}' optimizer`, String(state?.kind));
      }
      if (!Array.isArray(state.steps) || state.steps.length !== variables.length) {
        throw argumentError('SHAPE_MISMATCH', f, 'state.steps', `${variables.length} entries`, String(state.steps?.length));
      }
      assertNonNegative(f, 'state.iterations', state.iterations);
      checkLearningRate(f, state.learningRate);
      // Validate everything before mutating anything.
      slots.forEach((list, i) =>
        list.forEach((t, k) => {
          const key = `${slotNames[k]}/${i}`;
          const src = state.slots[key];
          if (!(src instanceof tf.Tensor)) throw argumentError('NOT_FOUND', f, `state.slots['${key}']`, 'a tensor', String(src));
          if (src.shape.length !== t.shape.length || src.shape.some((d, j) => d !== t.shape[j])) {
            throw argumentError('SHAPE_MISMATCH', f, `state.slots['${key}']`, `shape [${t.shape.join(',')}]`, `[${src.shape.join(',')}]`);
          }
        }),
      );
      tf.tidy(() => slots.forEach((list, i) => list.forEach((t, k) => t.assign(tf.cast(state.slots[`${slotNames[k]}/${i}`]!, 'float32')))));
      state.steps.forEach((s, i) => (steps[i] = s));
      iterations = state.iterations;
      lr = state.learningRate;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      slots.forEach((list) => list.forEach((t) => t.dispose()));
    },
  };
  return self;
}
