/**
 * The trainable part of a linear probe: a softmax-regression layer (fc
 * initialised N(0, initStd), zero bias) and its optimiser state, SGD
 * (momentum, optional Nesterov, PyTorch weight decay) or Adam. Shared by the
 * probe on fixed features and the one streamed from augmented images.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { LinearProbeConfig } from './linear-probe-presets';
import { softmaxRegressionGradients } from './softmax-regression';

const ADAM_EPSILON = 1e-8;
const EVAL_ROWS = 8192;

/** A probe layer: W [d, C], b [C] and their optimiser slots. */
export interface ProbeLayer {
  /**
   * One optimiser step on features `x` [B, d] with int32 labels `y` [B] at
   * learning rate `lr`; returns the batch's mean cross-entropy (a scalar
   * the caller disposes).
   */
  step(x: Tensor2D, y: Tensor1D, lr: number): tf.Scalar;
  /** Predicted classes argmax(x W + b) [B] int32 (caller disposes). */
  predict(x: Tensor2D): Tensor1D;
  /** Accuracy of the predictions on `x` [N, d] against `labels`, in row chunks (one read per 8192 rows). */
  accuracy(x: Tensor2D, labels: Int32Array): Promise<number>;
  dispose(): void;
}

/** Creates W ~ N(0, initStd) (seeded by `initSeed`), b = 0 and zeroed slots. */
export function createProbeLayer(d: number, numClasses: number, config: LinearProbeConfig, initSeed: number): ProbeLayer {
  // tidy releases each initial value; the variables survive it.
  const w = tf.tidy(() => tf.variable(tf.randomNormal([d, numClasses], 0, config.initStd, 'float32', initSeed), true));
  const b = tf.tidy(() => tf.variable(tf.zeros([numClasses]), true));
  const params = [w, b];
  const slots = params.map((p) => ({
    first: tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
    second: tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
  }));
  let steps = 0;
  const predict = (x: Tensor2D): Tensor1D => tf.tidy(() => tf.argMax(tf.add(tf.matMul(x, w), b), 1) as Tensor1D);
  return {
    step(x, y, lr) {
      const [value, gradW, gradB] = tf.tidy(() => softmaxRegressionGradients(x, w as tf.Tensor as Tensor2D, b as tf.Tensor as Tensor1D, y));
      const grads: tf.Tensor[] = [gradW, gradB];
      steps++;
      tf.tidy(() => {
        params.forEach((p, i) => {
          let g = grads[i]!;
          if (config.weightDecay > 0) g = tf.add(g, tf.mul(config.weightDecay, p));
          const s = slots[i]!;
          if (config.optimizer === 'sgd') {
            const buf = tf.add(tf.mul(config.momentum, s.first), g);
            s.first.assign(buf);
            const direction = config.nesterov ? tf.add(g, tf.mul(config.momentum, buf)) : buf;
            p.assign(tf.sub(p, tf.mul(lr, direction)));
          } else {
            const [b1, b2] = config.betas;
            const m = tf.add(tf.mul(b1, s.first), tf.mul(1 - b1, g));
            const v = tf.add(tf.mul(b2, s.second), tf.mul(1 - b2, tf.square(g)));
            s.first.assign(m);
            s.second.assign(v);
            const mHat = tf.div(m, 1 - b1 ** steps);
            const vHat = tf.div(v, 1 - b2 ** steps);
            p.assign(tf.sub(p, tf.mul(lr, tf.div(mHat, tf.add(tf.sqrt(vHat), ADAM_EPSILON)))));
          }
        });
      });
      tf.dispose(grads);
      return value;
    },
    predict,
    async accuracy(x, labels) {
      const [n, dim] = x.shape;
      let hits = 0;
      for (let start = 0; start < n; start += EVAL_ROWS) {
        const rows = Math.min(EVAL_ROWS, n - start);
        const pred = tf.tidy(() => predict(rows === n ? x : (tf.slice(x, [start, 0], [rows, dim]) as Tensor2D)));
        const values = await pred.data();
        pred.dispose();
        for (let i = 0; i < rows; i++) if (values[i] === labels[start + i]) hits++;
      }
      return hits / n;
    },
    dispose() {
      tf.dispose([...params, ...slots.flatMap((s) => [s.first, s.second])]);
    },
  };
}
