import * as tf from '@tensorflow/tfjs-core';
import { input, layers, loadLayersModel, model as functionalModel } from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { isContrastiveError } from '@contrastive/core';
import { checkGradients, describeBackends, expectClose, expectNoLeak, randomMatrix } from '@contrastive/test-utils';
import { groupBatchNormReference, runningStatsReference } from '@contrastive/test-utils/reference/encoders';
import { backwardTensorGrowth } from './backward-tensors.test-utils';
import { batchNormTraining } from './batch-norm-training';
import { SplitBatchNormalization } from './split-batch-norm';

function values(seed: number, n: number, scale = 1, shift = 0): Float32Array {
  return Float32Array.from(randomMatrix(seed, 1, n, scale).data, (v) => v + shift);
}

function buildLayer(args: ConstructorParameters<typeof SplitBatchNormalization>[0], shape: number[]): SplitBatchNormalization {
  const layer = new SplitBatchNormalization(args);
  layer.apply(input({ shape: shape.slice(1) }));
  return layer;
}

describeBackends(['cpu', 'wasm'], (backend) => {
  describe('SplitBatchNormalization in training mode', () => {
    for (const groups of [1, 2, 4]) {
      it(`normalises each of ${groups} groups with its own statistics (rank 4)`, async () => {
        const shape = [8, 3, 2, 5];
        const x = values(1 + groups, 8 * 3 * 2 * 5, 2, 0.5);
        const gamma = values(20, 5, 0.3, 1);
        const beta = values(21, 5, 0.3);
        const layer = buildLayer({ numGroups: groups }, shape);
        layer.setWeights([tf.tensor1d(gamma), tf.tensor1d(beta), tf.zeros([5]), tf.ones([5])]);
        const xt = tf.tensor(x, shape);
        const y = layer.apply(xt, { training: true }) as tf.Tensor;
        expect(y.shape).toEqual(shape);
        expect(y.dtype).toBe('float32');
        const ref = groupBatchNormReference(x, { batch: 8, positions: 6, channels: 5 }, gamma, beta, { groups, epsilon: 1e-5 });
        expectClose(await y.data(), ref.y, { atol: 2e-5, rtol: 1e-4 });
        const running = runningStatsReference(ref, (8 / groups) * 6, { mean: new Float64Array(5), variance: new Float64Array(5).fill(1) }, 0.9);
        const [, , movingMean, movingVariance] = layer.getWeights();
        expectClose(await movingMean!.data(), running.mean, { atol: 1e-6, rtol: 1e-5 });
        expectClose(await movingVariance!.data(), running.variance, { atol: 1e-6, rtol: 1e-5 });
        tf.dispose([xt, y]);
        layer.dispose();
      });
    }

    it('handles rank-2 inputs (BatchNorm1d) with 2 groups', async () => {
      const x = values(5, 6 * 4, 1.5, -1);
      const gamma = values(6, 4, 0.2, 1);
      const beta = values(7, 4, 0.2);
      const layer = buildLayer({ numGroups: 2 }, [6, 4]);
      layer.setWeights([tf.tensor1d(gamma), tf.tensor1d(beta), tf.zeros([4]), tf.ones([4])]);
      const xt = tf.tensor2d(x, [6, 4]);
      const y = layer.apply(xt, { training: true }) as tf.Tensor;
      const ref = groupBatchNormReference(x, { batch: 6, positions: 1, channels: 4 }, gamma, beta, { groups: 2, epsilon: 1e-5 });
      expect(y.shape).toEqual([6, 4]);
      expectClose(await y.data(), ref.y, { atol: 2e-5, rtol: 1e-4 });
      tf.dispose([xt, y]);
      layer.dispose();
    });

    it('split BN equals plain BN applied to each group separately', async () => {
      const x = tf.tensor(values(8, 8 * 2 * 2 * 3, 1, 0.3), [8, 2, 2, 3]);
      const split = buildLayer({ numGroups: 4 }, [8, 2, 2, 3]);
      const plain = buildLayer({ numGroups: 1 }, [2, 2, 2, 3]);
      const ys = tf.split(x, 4).map((part) => plain.apply(part, { training: true }) as tf.Tensor);
      const expected = tf.concat(ys);
      const y = split.apply(x, { training: true }) as tf.Tensor;
      expectClose(await y.data(), await expected.data(), { atol: 1e-6, rtol: 1e-6 });
      tf.dispose([x, y, expected, ...ys]);
      split.dispose();
      plain.dispose();
    });

    it("matches tfjs-layers' BatchNormalization (one group) in the forward pass", async () => {
      const shape = [4, 3, 3, 6];
      const x = tf.tensor(values(9, 4 * 3 * 3 * 6, 2, 1), shape);
      const ours = buildLayer({ numGroups: 1 }, shape);
      const theirs = layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 });
      theirs.apply(input({ shape: shape.slice(1) }));
      const gamma = tf.tensor1d(values(10, 6, 0.5, 1));
      const beta = tf.tensor1d(values(11, 6, 0.5));
      ours.setWeights([gamma, beta, tf.zeros([6]), tf.ones([6])]);
      theirs.setWeights([gamma, beta, tf.zeros([6]), tf.ones([6])]);
      const yOurs = ours.apply(x, { training: true }) as tf.Tensor;
      const yTheirs = theirs.apply(x, { training: true }) as tf.Tensor;
      expectClose(await yOurs.data(), await yTheirs.data(), { atol: 1e-5, rtol: 1e-4 });
      // Running means agree (variances differ by design: PyTorch's unbiased estimate).
      expectClose(await ours.getWeights()[2]!.data(), await theirs.getWeights()[2]!.data(), { atol: 1e-6, rtol: 1e-5 });
      tf.dispose([x, gamma, beta, yOurs, yTheirs]);
      ours.dispose();
      theirs.dispose();
    });

    for (const relu of [false, true]) it(`gradient matches finite differences of the float64 reference (x, gamma, beta${relu ? ', fused ReLU' : ''})`, () => {
      const batch = 4;
      const positions = 3;
      const channels = 2;
      const weights = randomMatrix(13, 1, batch * positions * channels).data;
      const fn = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Scalar => {
        const stats: tf.Tensor[] = [];
        const y = batchNormTraining(tf.reshape(x, [batch, positions, channels]), g, b, {
          groups: 2,
          epsilon: 1e-5,
          relu,
          stats: (s) => stats.push(s.mean, s.variance),
        });
        tf.dispose(stats);
        return tf.sum(tf.mul(y, tf.tensor(Float32Array.from(weights), [batch, positions, channels])));
      };
      const reference = (x: Float64Array, g: Float64Array, b: Float64Array): number => {
        const { y } = groupBatchNormReference(x, { batch, positions, channels }, g, b, { groups: 2, epsilon: 1e-5 });
        return y.reduce((s, v, i) => s + (relu ? Math.max(v, 0) : v) * weights[i]!, 0);
      };
      checkGradients(fn, reference, [
        { values: randomMatrix(14, 1, batch * positions * channels, 1.5).data, shape: [batch * positions * channels] },
        { values: randomMatrix(15, 1, channels, 0.3).data.map((v) => v + 1), shape: [channels] },
        { values: randomMatrix(16, 1, channels, 0.3).data, shape: [channels] },
      ], { step: 1e-4, atol: 2e-3, rtol: 2e-3 });
    });

    it('gradients equal autodiff through tf.moments and tf.batchNorm (one group, rank 4)', async () => {
      const x = tf.randomNormal([4, 3, 3, 5], 0.5, 2, 'float32', 31);
      const gamma = tf.randomNormal([5], 1, 0.2, 'float32', 32);
      const beta = tf.randomNormal([5], 0, 0.2, 'float32', 33);
      const weights = tf.randomNormal([4, 3, 3, 5], 0, 1, 'float32', 34);
      const closedForm = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const stats: tf.Tensor[] = [];
        const y = batchNormTraining(a, g, b, { groups: 1, epsilon: 1e-5, relu: true, stats: (st) => stats.push(st.mean, st.variance) });
        tf.dispose(stats);
        return tf.sum(tf.mul(y, weights));
      })([x, gamma, beta]);
      const autodiff = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        return tf.sum(tf.mul(tf.relu(tf.batchNorm(a, mean, variance, b, g, 1e-5)), weights));
      })([x, gamma, beta]);
      for (let i = 0; i < 3; i++) expectClose(await closedForm[i]!.data(), await autodiff[i]!.data(), { atol: 1e-4, rtol: 1e-3 });
      tf.dispose([x, gamma, beta, weights, ...closedForm, ...autodiff]);
    });

    for (const relu of [false, true]) it(`backward keeps no temporaries alive until the end of the backward pass${relu ? ' (fused ReLU)' : ''}`, () => {
      const x = tf.randomNormal([4, 3, 3, 2], 0, 1, 'float32', 21);
      const gamma = tf.tensor1d([1.5, 0.5]);
      const beta = tf.tensor1d([0.1, -0.2]);
      const growth = backwardTensorGrowth((t) => {
        const stats: tf.Tensor[] = [];
        const y = batchNormTraining(t, gamma, beta, { groups: 2, epsilon: 1e-5, relu, stats: (s) => stats.push(s.mean, s.variance) });
        tf.dispose(stats);
        return y;
      }, x);
      // The probe's gradient plus the three input gradients (x, gamma, beta); nothing else.
      expect(growth).toBe(4);
      tf.dispose([x, gamma, beta]);
    });

    it('supports BN without affine terms (MoCo v3 last BN) and gamma-only (SimCLR)', async () => {
      const shape: [number, number] = [4, 3];
      const x = values(17, 12, 1, 2);
      const plainLayer = buildLayer({ center: false, scale: false }, shape);
      const scaleOnly = buildLayer({ center: false }, shape);
      expect(plainLayer.trainableWeights).toHaveLength(0);
      expect(scaleOnly.trainableWeights.map((w) => w.originalName.split('/').pop())).toEqual(['gamma']);
      const xt = tf.tensor2d(x, shape);
      const y = plainLayer.apply(xt, { training: true }) as tf.Tensor;
      const ref = groupBatchNormReference(x, { batch: 4, positions: 1, channels: 3 }, [1, 1, 1], [0, 0, 0], { groups: 1, epsilon: 1e-5 });
      expectClose(await y.data(), ref.y, { atol: 2e-5, rtol: 1e-4 });
      tf.dispose([xt, y]);
      plainLayer.dispose();
      scaleOnly.dispose();
    });

    it('is differentiable without affine terms (the ones standing in for gamma outlive the call)', async () => {
      const shape: [number, number] = [4, 3];
      const x = values(18, 12, 1, 2);
      const dyValues = values(19, 12);
      const plainLayer = buildLayer({ center: false, scale: false }, shape);
      const xt = tf.tensor2d(x, shape);
      const dy = tf.tensor2d(dyValues, shape);
      const dx = tf.grad((v: tf.Tensor) => plainLayer.apply(v, { training: true }) as tf.Tensor)(xt, dy);
      // Plain BN backward per channel: (dy - mean(dy) - xhat * mean(dy * xhat)) / std.
      const ref = groupBatchNormReference(x, { batch: 4, positions: 1, channels: 3 }, [1, 1, 1], [0, 0, 0], { groups: 1, epsilon: 1e-5 });
      const expected = new Float64Array(12);
      for (let c = 0; c < 3; c++) {
        const std = Math.sqrt(ref.groupVariance[0]![c]! + 1e-5);
        let meanDy = 0;
        let meanDyXhat = 0;
        for (let i = 0; i < 4; i++) {
          meanDy += dyValues[i * 3 + c]! / 4;
          meanDyXhat += (dyValues[i * 3 + c]! * ref.y[i * 3 + c]!) / 4;
        }
        for (let i = 0; i < 4; i++) expected[i * 3 + c] = (dyValues[i * 3 + c]! - meanDy - ref.y[i * 3 + c]! * meanDyXhat) / std;
      }
      expectClose(await dx.data(), expected, { atol: 1e-5, rtol: 1e-4 });
      tf.dispose([xt, dy, dx]);
      plainLayer.dispose();
    });

    it('throws SHAPE_MISMATCH on inputs when the batch is not divisible by numGroups', () => {
      const layer = buildLayer({ numGroups: 4 }, [6, 3]);
      const x = tf.zeros([6, 3]);
      try {
        layer.apply(x, { training: true });
        expect.unreachable();
      } catch (error) {
        expect(isContrastiveError(error, 'SHAPE_MISMATCH')).toBe(true);
        expect((error as { argument?: string }).argument).toBe('inputs');
      }
      x.dispose();
      layer.dispose();
    });

    it('does not leak tensors in training or inference', () => {
      const layer = buildLayer({ numGroups: 2 }, [4, 2, 2, 3]);
      const x = tf.randomNormal([4, 2, 2, 3], 0, 1, 'float32', 3);
      tf.dispose(expectNoLeak(() => layer.apply(x, { training: true }) as tf.Tensor, 1));
      tf.dispose(expectNoLeak(() => layer.apply(x, { training: false }) as tf.Tensor, 1));
      const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const grads = expectNoLeak(() => tf.variableGrads(() => tf.sum(tf.square(layer.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, vars), 3);
      tf.dispose([grads.value, grads.grads]);
      x.dispose();
      layer.dispose();
    });
  });

  describe('SplitBatchNormalization in inference mode', () => {
    it('normalises with the running statistics', async () => {
      const layer = buildLayer({ numGroups: 2 }, [2, 3]);
      layer.setWeights([tf.tensor1d([1, 2, 3]), tf.tensor1d([0, 1, -1]), tf.tensor1d([0.5, -1, 2]), tf.tensor1d([4, 1, 0.25])]);
      const x = tf.tensor2d([1, 2, 3, -1, 0, 1], [2, 3]);
      const y = layer.apply(x) as tf.Tensor;
      const rows: number[][] = [[1, 2, 3], [-1, 0, 1]];
      const expected = rows.map((row) =>
        row.map((v, c) => ((v - [0.5, -1, 2][c]!) / Math.sqrt([4, 1, 0.25][c]! + 1e-5)) * [1, 2, 3][c]! + [0, 1, -1][c]!),
      );
      expectClose(await y.data(), expected.flat(), { atol: 1e-5, rtol: 1e-5 });
      tf.dispose([x, y]);
      layer.dispose();
    });

    it('is differentiable without beta or gamma (gamma-only and plain BN)', async () => {
      const mean = [0.5, -1, 2];
      const variance = [4, 1, 0.25];
      const x = tf.tensor2d([1, 2, 3, -1, 0, 1], [2, 3]);
      const dy = tf.tensor2d([1, -2, 0.5, 3, 1, -1], [2, 3]);
      for (const [args, gamma] of [
        [{ center: false }, [1, 2, 3]],
        [{ center: false, scale: false }, [1, 1, 1]],
      ] as const) {
        const layer = buildLayer(args, [2, 3]);
        layer.setWeights([...(args.scale === false ? [] : [tf.tensor1d([...gamma])]), tf.tensor1d(mean), tf.tensor1d(variance)]);
        const y = expectNoLeak(() => layer.apply(x, { training: false }) as tf.Tensor, 1);
        const dx = tf.grad((v: tf.Tensor) => layer.apply(v, { training: false }) as tf.Tensor)(x, dy);
        const inv = variance.map((v, c) => gamma[c]! / Math.sqrt(v + 1e-5));
        expectClose(await y.data(), [1, 2, 3, -1, 0, 1].map((v, i) => (v - mean[i % 3]!) * inv[i % 3]!), { atol: 1e-5, rtol: 1e-5 });
        expectClose(await dx.data(), [1, -2, 0.5, 3, 1, -1].map((g, i) => g * inv[i % 3]!), { atol: 1e-5, rtol: 1e-5 });
        tf.dispose([y, dx]);
        layer.dispose();
      }
      tf.dispose([x, dy]);
    });
  });

  if (backend === 'cpu') {
    it('is registered for serialization: a saved model loads with its config and weights', async () => {
      const images = input({ shape: [2, 2, 3] });
      const out = new SplitBatchNormalization({ numGroups: 2, center: false, name: 'sbn' }).apply(images) as SymbolicTensor;
      const m = functionalModel({ inputs: images, outputs: out });
      m.getLayer('sbn').setWeights([tf.tensor1d([1, 2, 3]), tf.tensor1d([0.1, 0.2, 0.3]), tf.tensor1d([1.5, 2.5, 3.5])]);
      let saved: tf.io.ModelArtifacts | undefined;
      await m.save(tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }));
      const loaded = await loadLayersModel(tf.io.fromMemory(saved!));
      const layer = loaded.getLayer('sbn') as SplitBatchNormalization;
      expect(layer).toBeInstanceOf(SplitBatchNormalization);
      expect(layer.numGroups).toBe(2);
      expect(layer.center).toBe(false);
      const weights = layer.getWeights();
      expectClose(await weights[2]!.data(), [1.5, 2.5, 3.5]);
      m.dispose();
      loaded.dispose();
    });

    it('rejects bad options with the argument name', () => {
      for (const [args, argument] of [
        [{ numGroups: 0 }, 'numGroups'],
        [{ numGroups: 1.5 }, 'numGroups'],
        [{ momentum: 2 }, 'momentum'],
        [{ epsilon: 0 }, 'epsilon'],
      ] as const) {
        try {
          new SplitBatchNormalization(args);
          expect.unreachable();
        } catch (error) {
          expect(isContrastiveError(error, 'OUT_OF_RANGE')).toBe(true);
          expect((error as { argument?: string }).argument).toBe(argument);
        }
      }
    });
  }
});
