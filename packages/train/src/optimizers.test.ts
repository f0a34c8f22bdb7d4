import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { createRng, isContrastiveError } from '@contrastive/core';
import { describeBackends, expectClose, expectNoLeak } from '@contrastive/test-utils';
import {
  adamWStepReference,
  larsStepReference,
  sgdStepReference,
  type SgdReferenceOptions,
} from '@contrastive/test-utils/reference/train';
import { createAdamW, createLars, createSgd, SIMCLR_EXCLUDE_PATTERN, type TrainOptimizer } from './index';


const f32 = (x: number): number => Math.fround(x);

function codeOf(fn: () => unknown): [string | undefined, string | undefined] {
  try {
    fn();
  } catch (e) {
    if (isContrastiveError(e)) return [e.code, e.argument];
    throw e;
  }
  return [undefined, undefined];
}

/** A rank-2 weight and a rank-1 bias with seeded float32 values, and 4 steps of seeded gradients. */
function problem(seed: number) {
  const rng = createRng(seed);
  const w0 = Array.from({ length: 6 }, () => f32(rng.normal()));
  const b0 = Array.from({ length: 3 }, () => f32(rng.normal()));
  const grads = Array.from({ length: 4 }, () => ({
    w: Array.from({ length: 6 }, () => f32(rng.normal())),
    b: Array.from({ length: 3 }, () => f32(rng.normal())),
  }));
  return { w0, b0, grads };
}

async function runSteps(
  make: (vars: tf.Variable[]) => TrainOptimizer,
  seed: number,
): Promise<{ w: number[]; b: number[] }> {
  const { w0, b0, grads } = problem(seed);
  const w = tf.variable(tf.tensor2d(w0, [2, 3]), true);
  const b = tf.variable(tf.tensor1d(b0), true);
  const opt = make([w, b]);
  for (const g of grads) {
    const gw = tf.tensor2d(g.w, [2, 3]);
    const gb = tf.tensor1d(g.b);
    // Named form, as tf.variableGrads returns it.
    opt.applyGradients({ [w.name]: gw, [b.name]: gb });
    tf.dispose([gw, gb]);
  }
  const out = { w: Array.from(await w.data()), b: Array.from(await b.data()) };
  opt.dispose();
  tf.dispose([w, b]);
  return out;
}

describeBackends(['cpu', 'wasm'], () => {
  describe('createSgd (PyTorch SGD semantics)', () => {
    it('matches a hand-computed momentum + coupled weight decay step', async () => {
      // p=1, g=0.5, lr=0.1, mu=0.9, wd=0.1. Step 1: d = 0.5 + 0.1·1 = 0.6, buf = 0.6, p = 1 − 0.06 = 0.94.
      // Step 2: d = 0.5 + 0.094 = 0.594, buf = 0.9·0.6 + 0.594 = 1.134, p = 0.94 − 0.1134 = 0.8266.
      const p = tf.variable(tf.tensor1d([1]));
      const opt = createSgd([p], { learningRate: 0.1, momentum: 0.9, weightDecay: 0.1 });
      const g = tf.tensor1d([0.5]);
      opt.applyGradients([g]);
      expectClose(await p.data(), [0.94], { atol: 1e-6 });
      opt.applyGradients([g]);
      expectClose(await p.data(), [0.8266], { atol: 1e-6 });
      // Nesterov, step 1: buf = 0.6, d = 0.6 + 0.9·0.6 = 1.14, p = 1 − 0.114 = 0.886.
      const q = tf.variable(tf.tensor1d([1]));
      const nes = createSgd([q], { learningRate: 0.1, momentum: 0.9, weightDecay: 0.1, nesterov: true });
      nes.applyGradients([g]);
      expectClose(await q.data(), [0.886], { atol: 1e-6 });
      tf.dispose([p, q, g]);
      opt.dispose();
      nes.dispose();
    });

    const cases: [string, SgdReferenceOptions, boolean][] = [
      ['momentum', { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0, decay: 'coupled' }, false],
      ['nesterov + coupled wd', { lr: 0.05, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 5e-4, decay: 'coupled' }, false],
      ['dampening', { lr: 0.1, momentum: 0.8, dampening: 0.5, nesterov: false, weightDecay: 1e-2, decay: 'coupled' }, false],
      ['decoupled wd', { lr: 0.2, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0.1, decay: 'decoupled' }, false],
      ['coupled wd, bias excluded', { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0.3, decay: 'coupled' }, true],
      ['no momentum', { lr: 0.3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0.1, decay: 'coupled' }, false],
    ];
    for (const [name, o, excludeBias] of cases) {
      it(`matches the float64 reference over 4 steps: ${name}`, async () => {
        const got = await runSteps(
          (vars) =>
            createSgd(vars, {
              learningRate: o.lr,
              momentum: o.momentum,
              dampening: o.dampening,
              nesterov: o.nesterov,
              weightDecay: o.weightDecay,
              decay: o.decay,
              excludeFromDecay: excludeBias ? 'rank<=1' : 'none',
            }),
          7,
        );
        const { w0, b0, grads } = problem(7);
        let w = { p: w0, buf: null as number[] | null };
        let b = { p: b0, buf: null as number[] | null };
        for (const g of grads) {
          w = sgdStepReference(w.p, g.w, w.buf, o);
          b = sgdStepReference(b.p, g.b, b.buf, excludeBias ? { ...o, weightDecay: 0 } : o);
        }
        expect(got.w).toHaveLength(6);
        expectClose(got.w, w.p, { atol: 1e-6, rtol: 1e-5 });
        expectClose(got.b, b.p, { atol: 1e-6, rtol: 1e-5 });
      });
    }

    it('rejects bad options and gradients with the right codes', () => {
      const v = tf.variable(tf.zeros([2]));
      expect(codeOf(() => createSgd([v], { learningRate: -1 }))).toEqual(['OUT_OF_RANGE', 'learningRate']);
      expect(codeOf(() => createSgd([v], { learningRate: 0.1, momentum: 1 }))).toEqual(['OUT_OF_RANGE', 'momentum']);
      expect(codeOf(() => createSgd([v], { learningRate: 0.1, momentum: 0, nesterov: true }))).toEqual(['INVALID_ARGUMENT', 'nesterov']);
      expect(codeOf(() => createSgd([], { learningRate: 0.1 }))).toEqual(['INVALID_ARGUMENT', 'variables']);
      expect(codeOf(() => createSgd([v, v], { learningRate: 0.1 }))).toEqual(['INVALID_ARGUMENT', 'variables']);
      const opt = createSgd([v], { learningRate: 0.1 });
      const bad = tf.zeros([3]);
      expect(codeOf(() => opt.applyGradients([bad]))[0]).toBe('SHAPE_MISMATCH');
      expect(codeOf(() => opt.setLearningRate(Number.NaN))).toEqual(['OUT_OF_RANGE', 'learningRate']);
      opt.dispose();
      expect(codeOf(() => opt.applyGradients([bad]))[0]).toBe('DISPOSED');
      tf.dispose([v, bad]);
    });
  });

  describe('createLars (SimCLR lars_optimizer.py)', () => {
    for (const nesterov of [false, true]) {
      it(`matches the float64 reference, BN/bias excluded from decay and adaptation (nesterov ${nesterov})`, async () => {
        const o = { lr: 0.5, momentum: 0.9, nesterov, weightDecay: 1e-2, eta: 0.001 };
        const got = await runSteps((vars) => createLars(vars, { learningRate: o.lr, momentum: o.momentum, nesterov, weightDecay: o.weightDecay }), 11);
        const { w0, b0, grads } = problem(11);
        let w = { p: w0, v: [0, 0, 0, 0, 0, 0] };
        let b = { p: b0, v: [0, 0, 0] };
        for (const g of grads) {
          w = larsStepReference(w.p, g.w, w.v, { ...o, decay: true, adapt: true });
          b = larsStepReference(b.p, g.b, b.v, { ...o, decay: false, adapt: false });
        }
        expectClose(got.w, w.p, { atol: 1e-6, rtol: 1e-5 });
        expectClose(got.b, b.p, { atol: 1e-6, rtol: 1e-5 });
      });
    }

    it('uses trust 1 for a zero weight, and a name pattern when asked', async () => {
      // w = 0: trust = 1, so v = lr·g and p = −lr·g after one step.
      const zero = tf.variable(tf.zeros([2, 2]), true, 'dense/kernel_zero');
      const bias = tf.variable(tf.ones([2]), true, 'dense/bias_named');
      const opt = createLars([zero, bias], { learningRate: 0.1, weightDecay: 0.5, excludeFromDecay: SIMCLR_EXCLUDE_PATTERN });
      const g = [tf.fill([2, 2], 2), tf.fill([2], 4)];
      opt.applyGradients(g);
      expectClose(await zero.data(), [-0.2, -0.2, -0.2, -0.2], { atol: 1e-6 });
      // Bias matched by name: no decay, no adaptation, p = 1 − 0.1·4.
      expectClose(await bias.data(), [0.6, 0.6], { atol: 1e-6 });
      opt.dispose();
      tf.dispose([zero, bias, ...g]);
    });
  });

  describe('createAdamW (PyTorch AdamW semantics)', () => {
    it('matches the float64 reference over 4 steps with bias excluded from decay', async () => {
      const o = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };
      const got = await runSteps((vars) => createAdamW(vars, { learningRate: o.lr, weightDecay: o.weightDecay, excludeFromDecay: 'rank<=1' }), 3);
      const { w0, b0, grads } = problem(3);
      let w = { p: w0, m: [0, 0, 0, 0, 0, 0], v: [0, 0, 0, 0, 0, 0] };
      let b = { p: b0, m: [0, 0, 0], v: [0, 0, 0] };
      grads.forEach((g, k) => {
        w = adamWStepReference(w.p, g.w, { m: w.m, v: w.v, t: k + 1 }, o);
        b = adamWStepReference(b.p, g.b, { m: b.m, v: b.v, t: k + 1 }, { ...o, weightDecay: 0 });
      });
      expectClose(got.w, w.p, { atol: 1e-6, rtol: 1e-5 });
      expectClose(got.b, b.p, { atol: 1e-6, rtol: 1e-5 });
    });

    it('first step moves every weight by about lr (bias correction)', async () => {
      const p = tf.variable(tf.tensor1d([1, -2, 3]));
      const opt = createAdamW([p], { learningRate: 0.1, weightDecay: 0 });
      const g = tf.tensor1d([0.3, -5, 1e-3]);
      opt.applyGradients([g]);
      // m̂ = g, v̂ = g², update = lr·g/(|g| + eps) ≈ lr·sign(g).
      expectClose(await p.data(), [0.9, -1.9, 2.9], { atol: 1e-4 });
      opt.dispose();
      tf.dispose([p, g]);
    });
  });

  describe('optimizer integration', () => {
    it('trains a tfjs-layers model through minimize() and trainableWeights', async () => {
      const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'zeros' })] });
      const x = tf.tensor2d([[1, 2], [3, 4], [5, 6], [0, 1]]);
      const y = tf.tensor2d([[5], [11], [17], [2]]);
      const opt = createSgd(model.trainableWeights, { learningRate: 0.01, momentum: 0.9 });
      expect(opt.variables).toHaveLength(2);
      let first = Infinity;
      let last = Infinity;
      for (let i = 0; i < 60; i++) {
        const loss = opt.minimize(() => tf.losses.meanSquaredError(y, model.apply(x) as tf.Tensor) as tf.Scalar);
        expect(loss.shape).toEqual([]);
        last = (await loss.data())[0]!;
        if (i === 0) first = last;
        loss.dispose();
      }
      expect(last).toBeLessThan(first / 10);
      expect(opt.iterations).toBe(60);
      opt.dispose();
      model.dispose();
      tf.dispose([x, y]);
    });

    for (const [name, make] of [
      ['sgd', (v: tf.Variable[]) => createSgd(v, { learningRate: 0.1, weightDecay: 0.01, nesterov: true })],
      ['lars', (v: tf.Variable[]) => createLars(v, { learningRate: 0.1 })],
      ['adamw', (v: tf.Variable[]) => createAdamW(v, { learningRate: 0.1 })],
    ] as const) {
      it(`${name}: no leaks, and getState/setState continues identically`, async () => {
        const a = [tf.variable(tf.tensor2d([[1, 2], [3, 4]])), tf.variable(tf.tensor1d([0.5, -0.5]))];
        const grads = [tf.tensor2d([[0.1, -0.2], [0.3, 0.4]]), tf.tensor1d([1, -1])];
        const before = tf.memory().numTensors;
        const optA = make(a);
        const slotCount = tf.memory().numTensors - before;
        expectNoLeak(() => optA.applyGradients(grads), 0);
        expectNoLeak(() => optA.applyGradients(grads), 0);
        const state = expectNoLeak(() => optA.getState(), slotCount);
        expect(state.kind).toBe(name);
        expect(state.iterations).toBe(2);
        // A second optimizer over copies of the weights, restored from the state.
        const b = a.map((v) => tf.tidy(() => tf.variable(v.clone())));
        const optB = make(b);
        optB.setState(state);
        tf.dispose(Object.values(state.slots));
        optA.applyGradients(grads);
        optB.applyGradients(grads);
        for (let i = 0; i < 2; i++) expect(Array.from(await b[i]!.data())).toEqual(Array.from(await a[i]!.data()));
        const other = optB.getState();
        expect(codeOf(() => optB.setState({ ...other, kind: name === 'sgd' ? 'lars' : 'sgd' }))[0]).toBe('INVALID_ARGUMENT');
        tf.dispose(Object.values(other.slots));
        optA.dispose();
        optB.dispose();
        tf.dispose(b);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([...a, ...grads]);
      });
    }
  });
});
