import * as tf from '@tensorflow/tfjs-core';
import { layers, sequential } from '@tensorflow/tfjs-layers';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { isContrastiveError } from '@contrastive/core';
import { composeEncoder, createConvNet, createPredictionHead, createProjectionHead } from '@contrastive/encoders';
import { describeBackends, expectClose, expectNoLeak } from '@contrastive/test-utils';
import { cosineMomentumReference, emaStepFloat32 } from '@contrastive/test-utils/reference/encoders';
import { createMomentumEncoder } from './momentum-encoder';
import { momentumAt } from './momentum-schedule';

function smallEncoder(seed: number): LayersModel {
  const backbone = createConvNet({ inputShape: [8, 8, 3], channels: [4, 6], seed });
  const projection = createProjectionHead({ inputDim: 6, hiddenDims: [5], outputDim: 4, hiddenBatchNorm: true, seed });
  const prediction = createPredictionHead({ inputDim: 4, hiddenDims: [3], outputDim: 4, seed });
  return composeEncoder(backbone, projection, { prediction }).model;
}

async function values(ws: { read(): tf.Tensor }[]): Promise<Float32Array[]> {
  return Promise.all(ws.map(async (w) => Float32Array.from(await w.read().data())));
}

/** The key model's weights in the online model's weight order (matched by their unique names). */
function aligned(online: LayersModel, key: LayersModel): LayersModel['weights'] {
  const byName = new Map(key.weights.map((w) => [w.originalName, w]));
  expect(byName.size).toBe(key.weights.length);
  return online.weights.map((w) => byName.get(w.originalName)!);
}

function expectCode(call: () => unknown, code: string, argument?: string): void {
  try {
    call();
    expect.unreachable();
  } catch (error) {
    expect(isContrastiveError(error, code as 'DISPOSED')).toBe(true);
    if (argument !== undefined) expect((error as { argument?: string }).argument).toBe(argument);
  }
}

describeBackends(['cpu', 'wasm'], () => {
  describe('createMomentumEncoder', () => {
    it('clones the architecture and weights, and is never trainable', async () => {
      const online = smallEncoder(1);
      const key = createMomentumEncoder(online, { momentum: 0.99 });
      expect(key.model.trainableWeights).toHaveLength(0);
      expect(key.model.weights.every((w) => !w.trainable)).toBe(true);
      expect(key.model.weights).toHaveLength(online.weights.length);
      const x = tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 2);
      const a = online.predict(x) as tf.Tensor[];
      const b = key.model.predict(x) as tf.Tensor[];
      expect(b.map((t) => t.shape)).toEqual(a.map((t) => t.shape));
      for (let i = 0; i < a.length; i++) expectClose(await b[i]!.data(), await a[i]!.data(), { atol: 0, rtol: 0 });
      // No key variable is in the default variable list of tf.variableGrads.
      const { value, grads } = tf.variableGrads(() => {
        const q = (online.apply(x, { training: true }) as tf.Tensor[])[1]!;
        const k = (key.model.apply(x, { training: true }) as tf.Tensor[])[1]!;
        return tf.sum(tf.mul(q, k));
      });
      const keyNames = new Set(key.model.weights.map((w) => w.name));
      expect(Object.keys(grads).some((n) => keyNames.has(n))).toBe(false);
      const onlineNames = new Set(online.trainableWeights.map((w) => w.name));
      expect(Object.keys(grads).length).toBeGreaterThan(0);
      expect(Object.keys(grads).every((n) => onlineNames.has(n))).toBe(true);
      tf.dispose([x, a, b, value, grads]);
      key.dispose();
      online.dispose();
    });

    it('update applies theta_k = m theta_k + (1 - m) theta_q exactly (float32), to parameters only', async () => {
      const online = smallEncoder(3);
      const key = createMomentumEncoder(online, { momentum: 0.9 });
      // Move the online parameters and BN statistics away from the key's.
      tf.tidy(() => online.trainableWeights.forEach((w, i) => w.write(tf.add(w.read(), tf.randomNormal(w.shape as number[], 0, 0.1, 'float32', i)))));
      const x = tf.randomNormal([4, 8, 8, 3], 2, 1, 'float32', 9);
      tf.dispose(online.apply(x, { training: true }) as tf.Tensor[]);
      const keyWeights = aligned(online, key.model);
      const keyBefore = await values(keyWeights);
      const onlineValues = await values(online.weights);
      const m = expectNoLeak(() => key.update(), 0);
      expect(m).toBe(0.9);
      expect(key.step).toBe(1);
      const keyAfter = await values(keyWeights);
      online.weights.forEach((w, i) => {
        if (w.trainable) {
          expectClose(keyAfter[i]!, emaStepFloat32(keyBefore[i]!, onlineValues[i]!, 0.9), { atol: 0, rtol: 0 });
        } else {
          // BN running statistics are not copied (MoCo): they stay as they were.
          expectClose(keyAfter[i]!, keyBefore[i]!, { atol: 0, rtol: 0 });
          expect(Array.from(onlineValues[i]!).some((v, j) => v !== keyBefore[i]![j])).toBe(true);
        }
      });
      // The key's own train-mode forward pass moves its BN statistics.
      tf.dispose(key.model.apply(x, { training: true }) as tf.Tensor[]);
      const keyStats = await values(keyWeights);
      const statIndex = online.weights.findIndex((w) => w.name.includes('moving_mean'));
      expect(Array.from(keyStats[statIndex]!).some((v, j) => v !== keyAfter[statIndex]![j])).toBe(true);
      x.dispose();
      key.dispose();
      online.dispose();
    });

    it('momentum 0 copies, momentum 1 freezes', async () => {
      const online = smallEncoder(4);
      const copy = createMomentumEncoder(online, { momentum: 0 });
      const frozen = createMomentumEncoder(online, { momentum: 1 });
      tf.tidy(() => online.trainableWeights.forEach((w) => w.write(tf.mul(w.read(), 2))));
      const frozenBefore = await values(frozen.model.weights);
      copy.update();
      frozen.update();
      const target = await values(online.weights);
      const copied = await values(aligned(online, copy.model));
      online.weights.forEach((w, i) => {
        if (w.trainable) expectClose(copied[i]!, target[i]!, { atol: 0, rtol: 0 });
      });
      expectClose((await values(frozen.model.weights)).flatMap((v) => Array.from(v)), frozenBefore.flatMap((v) => Array.from(v)), { atol: 0, rtol: 0 });
      copy.dispose();
      frozen.dispose();
      online.dispose();
    });

    it('works with a Sequential model', async () => {
      const online = sequential({ layers: [layers.dense({ units: 3, inputShape: [2] }), layers.dense({ units: 1 })] });
      const key = createMomentumEncoder(online, { momentum: 0.5 });
      tf.tidy(() => online.trainableWeights.forEach((w) => w.write(tf.zerosLike(w.read()))));
      const before = await values(aligned(online, key.model));
      key.update();
      const after = await values(aligned(online, key.model));
      after.forEach((v, i) => expectClose(v, before[i]!.map((b) => b * 0.5), { atol: 0, rtol: 0 }));
      key.dispose();
      online.dispose();
    });

    it('getState/setState round trip restores weights and step', async () => {
      const online = smallEncoder(5);
      const key = createMomentumEncoder(online, { momentum: 0.8 });
      key.update();
      const state = expectNoLeak(() => key.getState(), key.model.weights.length);
      expect(state.step).toBe(1);
      const saved = await values(aligned(online, key.model));
      // The state lists the weights in the online model's order.
      for (let i = 0; i < saved.length; i++) expectClose(await state.weights[i]!.data(), saved[i]!, { atol: 0, rtol: 0 });
      tf.tidy(() => online.trainableWeights.forEach((w) => w.write(tf.add(w.read(), 1))));
      key.update();
      key.update();
      key.setState(state);
      tf.dispose(state.weights);
      expect(key.step).toBe(1);
      const restored = await values(aligned(online, key.model));
      restored.forEach((v, i) => expectClose(v, saved[i]!, { atol: 0, rtol: 0 }));
      const bad = { step: 0, weights: [tf.zeros([1])] };
      expectCode(() => key.setState(bad), 'SHAPE_MISMATCH', 'state.weights');
      tf.dispose(bad.weights);
      key.dispose();
      online.dispose();
    });

    it('frees every tensor on dispose and then throws DISPOSED', () => {
      const online = smallEncoder(6);
      const before = tf.memory().numTensors;
      const key = createMomentumEncoder(online);
      key.update();
      key.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expectCode(() => key.update(), 'DISPOSED');
      expectCode(() => key.getState(), 'DISPOSED');
      online.dispose();
    });
  });
});

describe('momentum schedules', () => {
  it('constant returns m at every step', () => {
    expect(momentumAt({ momentum: 0.99 }, 0)).toBe(0.99);
    expect(momentumAt({ momentum: 0.99, schedule: 'constant' }, 12345)).toBe(0.99);
  });

  it('cosine rises from m0 to 1 as BYOL: 1 - (1 - m0)(cos(pi k / K) + 1) / 2', () => {
    const s = { momentum: 0.996, schedule: 'cosine' as const, totalSteps: 1000 };
    expect(momentumAt(s, 0)).toBeCloseTo(0.996, 12);
    expect(momentumAt(s, 500)).toBeCloseTo(0.998, 12); // halfway: (1 + m0) / 2
    expect(momentumAt(s, 1000)).toBe(1);
    expect(momentumAt(s, 5000)).toBe(1);
    for (const k of [1, 123, 250, 999]) expect(momentumAt(s, k)).toBeCloseTo(cosineMomentumReference(0.996, k, 1000), 14);
    let previous = 0;
    for (let k = 0; k <= 1000; k += 50) {
      const m = momentumAt(s, k);
      expect(m).toBeGreaterThanOrEqual(previous);
      previous = m;
    }
  });

  it('the encoder uses the schedule at the given or counted step', () => {
    const online = sequential({ layers: [layers.dense({ units: 1, inputShape: [1] })] });
    const key = createMomentumEncoder(online, { momentum: 0.9, schedule: 'cosine', totalSteps: 4 });
    expect(key.update()).toBeCloseTo(0.9, 12);
    expect(key.update()).toBeCloseTo(cosineMomentumReference(0.9, 1, 4), 12);
    expect(key.update(3)).toBeCloseTo(cosineMomentumReference(0.9, 3, 4), 12);
    expect(key.step).toBe(4);
    expect(key.update()).toBe(1);
    expect(key.momentumAt(2)).toBeCloseTo(0.95, 12);
    key.dispose();
    online.dispose();
  });

  it('rejects bad options with code and argument name', () => {
    const online = sequential({ layers: [layers.dense({ units: 1, inputShape: [1] })] });
    expectCode(() => createMomentumEncoder(online, { momentum: 1.5 }), 'OUT_OF_RANGE', 'momentum');
    expectCode(() => createMomentumEncoder(online, { schedule: 'cos' as 'cosine' }), 'UNKNOWN_NAME', 'schedule');
    expectCode(() => createMomentumEncoder(online, { schedule: 'cosine' }), 'INVALID_ARGUMENT', 'totalSteps');
    expectCode(() => momentumAt({ momentum: 0.9 }, -1), 'OUT_OF_RANGE', 'step');
    online.dispose();
  });
});
