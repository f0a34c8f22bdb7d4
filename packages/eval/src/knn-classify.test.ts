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

type Reader = { read(dataId: object): Promise<unknown>; readSync(dataId: object): unknown };

/** Runs `f` counting the active backend's host reads (a read served by readSync counts once). */
async function countReads<T>(f: () => Promise<T>): Promise<{ result: T; reads: number }> {
  const backend = tf.backend() as unknown as Reader;
  const { read, readSync } = backend;
  let reads = 0;
  let inRead = false;
  // A kernel that reads its own inputs (cpu's, wasm's SplitV) is no wait on a device.
  const engineState = (tf.engine() as unknown as { state: { kernelDepth: number } }).state;
  backend.read = async function (this: Reader, id: object) {
    reads++;
    inRead = true;
    try {
      return await read.call(this, id);
    } finally {
      inRead = false;
    }
  };
  backend.readSync = function (this: Reader, id: object) {
    if (!inRead && engineState.kernelDepth === 0) reads++;
    return readSync.call(this, id);
  };
  try {
    return { result: await f(), reads };
  } finally {
    backend.read = read;
    backend.readSync = readSync;
  }
}

/** Elements of the largest tensor any kernel outputs while `f` runs. */
async function largestKernelOutput(f: () => Promise<unknown>): Promise<number> {
  const info = await tf.profile(async () => {
    await f();
    return [];
  });
  return Math.max(...info.kernels.flatMap((kernel) => kernel.outputShapes.map((shape) => shape.reduce((a, b) => a * b, 1))));
}

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

    it('takes the bank and the queries as chunks: same neighbours, no bank-sized tensor, one read per query chunk', async () => {
      const rng = createRng(9);
      const train = roundToFloat32(randomMatrix(5, 300, 8));
      const test = roundToFloat32(randomMatrix(6, 50, 8));
      const labels = Array.from({ length: 300 }, () => rng.int(7));
      const testLabels = Array.from({ length: 50 }, () => rng.int(7));
      const ref = knnReference(train, labels, test, 20, 0.1, 7);
      const whole = toTensor2d(train);
      const queries = toTensor2d(test);
      // Uneven chunks, one smaller than k (its top-k is all of it).
      const bankChunks = [[0, 70], [70, 10], [80, 130], [210, 90]].map(([s0, n0]) => tf.slice(whole, [s0!, 0], [n0!, 8]) as tf.Tensor2D);
      const queryChunks = [tf.slice(queries, [0, 0], [20, 8]) as tf.Tensor2D, tf.slice(queries, [20, 0], [30, 8]) as tf.Tensor2D];
      const single = await knnClassify(whole, labels, queries, { k: 20, testLabels });
      const { result: chunked, reads } = await countReads(() =>
        knnClassify(bankChunks, labels, queryChunks, { k: 20, testLabels, chunkElements: 130 * 13 }),
      );
      expect(Array.from(chunked.predictions)).toEqual(ref.predictions);
      expect(Array.from(chunked.predictions)).toEqual(Array.from(single.predictions));
      expect(Array.from(chunked.top5)).toEqual(Array.from(single.top5));
      expect(chunked.top1Accuracy).toBe(single.top1Accuracy);
      // 13 query rows per chunk: queries 20 + 30 -> 2 + 3 chunks, one read each (labels are arrays).
      expect(reads).toBe(5);
      // No kernel output is as large as the bank (300 x 8): no concatenation, normalised or transposed copy.
      expect(await largestKernelOutput(() => knnClassify(bankChunks, labels, queryChunks, { k: 20, chunkElements: 130 * 13 }))).toBeLessThanOrEqual(130 * 13);
      // With one bank tensor the similarity block is [rows, 300] and the norms are taken in blocks: still no copy.
      expect(await largestKernelOutput(() => knnClassify(whole, labels, queries, { k: 20, chunkElements: 300 * 4 }))).toBeLessThanOrEqual(300 * 4);
      tf.dispose([whole, queries, ...bankChunks, ...queryChunks]);
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
    expect(await rejection(knnClassify([], [], c))).toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'trainFeatures' });
    expect(await rejection(knnClassify([a, b], [0, 0, 1, 1, 0, 0], c))).toMatchObject({ code: 'SHAPE_MISMATCH', argument: 'trainFeatures[1]' });
    expect(await rejection(knnClassify([a], [0, 0, 1, 1], [c, b]))).toMatchObject({ code: 'SHAPE_MISMATCH', argument: 'testFeatures[1]' });
    tf.dispose([a, b, c]);
  });
});
