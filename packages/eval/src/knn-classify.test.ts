import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import { describeBackends, expectNoLeakAsync, randomMatrix, roundToFloat32, toTensor2d } from '@contrastive/test-utils';
import { useBackend } from '@contrastive/test-utils';

beforeAll(async () => {
  await useBackend('cpu');
});
import { knnReference } from '@contrastive/test-utils/reference/eval';
import { knnClassify } from './index';

async function rejection(p: Promise<unknown>): Promise<{ code?: string; argument?: string }> {
  try {
    await p;
  } catch (error) {
    return error as { code?: string; argument?: string };
  }
  throw new Error('expected a rejection');
}

describeBackends(['cpu', 'wasm'], () => {
  describe('knnClassify', () => {
    it('hand-computed votes: exp(s / t) weights over the top-k', async () => {
      const train = tf.tensor2d([[1, 0], [0, 1], [-1, 0]]);
      const labels = [0, 1, 1];
      const test = tf.tensor2d([[0.6, 0.8], [1, 0], [1, 1]]);
      // Query 0: sims 0.6, 0.8, -0.6 -> class 0: e^6 = 403; class 1: e^8 + e^-6 = 2981 -> 1.
      // Query 1: sims 1, 0, -1 -> class 0: e^10; class 1: e^0 + e^-10 -> 0.
      // Query 2 with k = 2: sims 0.707, 0.707 -> equal scores; ties go to the lower class 0.
      const r3 = await knnClassify(train, labels, test, { k: 3, temperature: 0.1, testLabels: [1, 0, 1] });
      expect(r3.predictions).toBeInstanceOf(Int32Array);
      expect(r3.predictions.length).toBe(3);
      expect(Array.from(r3.predictions.slice(0, 2))).toEqual([1, 0]);
      expect(Array.from(r3.top5.slice(0, 2))).toEqual([1, 0]);
      expect(r3.top5.length).toBe(6);
      const r2 = await knnClassify(train, labels, test, { k: 2, temperature: 0.1 });
      expect(r2.predictions[2]).toBe(0);
      expect(r2.top1Accuracy).toBeUndefined();
      // k = 1 makes query 0 pick its single nearest neighbour (label 1).
      const r1 = await knnClassify(train, labels, test, { k: 1, testLabels: [1, 0, 0] });
      expect(Array.from(r1.predictions)).toEqual([1, 0, 0]);
      expect(r1.top1Accuracy).toBeCloseTo(1, 12);
      tf.dispose([train, test]);
    });

    it('matches the float64 reference, in chunks, with top-1 and top-5 accuracy', async () => {
      const rng = createRng(7);
      const train = roundToFloat32(randomMatrix(1, 300, 8));
      const test = roundToFloat32(randomMatrix(2, 50, 8));
      const labels = Array.from({ length: 300 }, () => rng.int(7));
      const testLabels = Array.from({ length: 50 }, () => rng.int(7));
      const ref = knnReference(train, labels, test, 20, 0.1, 7);
      const a = toTensor2d(train);
      const b = toTensor2d(test);
      const labelTensor = tf.tensor1d(labels, 'int32');
      const result = await knnClassify(a, labelTensor, b, { k: 20, testLabels, chunkElements: 1000 });
      expect(Array.from(result.predictions)).toEqual(ref.predictions);
      const top1 = ref.predictions.filter((p, i) => p === testLabels[i]).length / 50;
      expect(result.top1Accuracy).toBeCloseTo(top1, 12);
      let hit5 = 0;
      ref.scores.forEach((s, i) => {
        const order = s.map((v, c) => [v, c] as const).sort((x, y) => y[0] - x[0] || x[1] - y[1]);
        if (order.slice(0, 5).some(([, c]) => c === testLabels[i])) hit5++;
      });
      expect(result.top5Accuracy).toBeCloseTo(hit5 / 50, 12);
      tf.dispose([a, b, labelTensor]);
    });

    it('breaks exact class-score ties to the lower id whatever order the neighbours come in (duplicate bank rows)', async () => {
      // 12 distinct rows, each repeated 10 times under 4 labels: many classes
      // collect the same multiset of weights, i.e. tie exactly. k takes whole
      // groups of copies, so the neighbours are the same set in any bank order.
      const rng = createRng(11);
      const distinct = Array.from({ length: 12 * 6 }, () => rng.normal());
      const rows = Array.from({ length: 120 }, (_, i) => distinct.slice((i % 12) * 6, (i % 12) * 6 + 6));
      const labels = Array.from({ length: 120 }, (_, i) => ((i % 12) + Math.floor(i / 12)) % 4);
      const test = tf.tensor2d(Array.from({ length: 20 * 6 }, () => rng.normal()), [20, 6]);
      const shuffle = Array.from(rng.permutation(120));
      const results: Awaited<ReturnType<typeof knnClassify>>[] = [];
      for (const order of [Array.from({ length: 120 }, (_, i) => i), shuffle, shuffle.slice().reverse()]) {
        const bank = tf.tensor2d(order.flatMap((i) => rows[i]!), [120, 6]);
        for (const k of [30, 60]) results.push(await knnClassify(bank, order.map((i) => labels[i]!), test, { k }));
        bank.dispose();
      }
      results.slice(2).forEach((r, i) => {
        expect(Array.from(r.predictions)).toEqual(Array.from(results[i % 2]!.predictions));
        expect(Array.from(r.top5)).toEqual(Array.from(results[i % 2]!.top5));
      });
      test.dispose();
    });

    it('creates no tensors that outlive the call', async () => {
      const a = toTensor2d(randomMatrix(3, 30, 4));
      const b = toTensor2d(randomMatrix(4, 9, 4));
      await expectNoLeakAsync(() => knnClassify(a, new Int32Array(30), b, { k: 5, chunkElements: 40 }), 0);
      tf.dispose([a, b]);
    });
  });
});

describe('knnClassify argument checks', () => {
  it('rejects mismatched shapes and options', async () => {
    const a = tf.zeros([4, 3]) as tf.Tensor2D;
    const b = tf.zeros([2, 2]) as tf.Tensor2D;
    const c = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(await rejection(knnClassify(a, [0, 0, 1, 1], b))).toMatchObject({ code: 'SHAPE_MISMATCH', argument: 'testFeatures' });
    expect(await rejection(knnClassify(a, [0, 1], c))).toMatchObject({ code: 'SHAPE_MISMATCH', argument: 'trainLabels' });
    expect(await rejection(knnClassify(a, [0, 0, 1, 1], c, { temperature: 0 }))).toMatchObject({ code: 'OUT_OF_RANGE', argument: 'temperature' });
    expect(await rejection(knnClassify(a, [0, 0, 1, -1], c))).toMatchObject({ code: 'OUT_OF_RANGE', argument: 'trainLabels' });
    expect(await rejection(knnClassify(a, tf.tensor1d([0, 0, 1, 1]), c))).toMatchObject({ code: 'DTYPE_MISMATCH', argument: 'trainLabels' });
    tf.dispose([a, b, c]);
  });
});
