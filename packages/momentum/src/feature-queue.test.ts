import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { isContrastiveError } from '@contrastive/core';
import { describeBackends, expectClose, expectNoLeak, normalizeRows, randomMatrix, toTensor2d } from '@contrastive/test-utils';
import type { Matrix } from '@contrastive/test-utils';
import { queueWriteReference } from '@contrastive/test-utils/reference/encoders';
import { createFeatureQueue } from './feature-queue';

async function rowsOf(t: tf.Tensor2D): Promise<Float64Array[]> {
  const data = Float64Array.from(await t.data());
  const [n, d] = t.shape;
  return Array.from({ length: n }, (_, i) => data.slice(i * d, (i + 1) * d));
}

function rowsOfMatrix(m: Matrix): Float64Array[] {
  return Array.from({ length: m.rows }, (_, i) => m.data.slice(i * m.cols, (i + 1) * m.cols));
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
  describe('createFeatureQueue', () => {
    it('starts as seeded Gaussian noise scaled to unit rows', async () => {
      const queue = createFeatureQueue({ size: 16, dim: 5, seed: 3 });
      const same = createFeatureQueue({ size: 16, dim: 5, seed: 3 });
      const other = createFeatureQueue({ size: 16, dim: 5, seed: 4 });
      const a = queue.negatives();
      expect(a.shape).toEqual([16, 5]);
      expect(a.dtype).toBe('float32');
      const rows = await rowsOf(a);
      for (const r of rows) expect(Math.hypot(...r)).toBeCloseTo(1, 5);
      const b = same.negatives();
      const c = other.negatives();
      expectClose(await b.data(), await a.data(), { atol: 0, rtol: 0 });
      expect((await c.data())[0]).not.toBe((await a.data())[0]);
      expect(queue.pointer).toBe(0);
      // Seed 0 (the default) is reproducible too (tfjs itself treats seed 0 as unseeded).
      const zero1 = createFeatureQueue({ size: 4, dim: 3 });
      const zero2 = createFeatureQueue({ size: 4, dim: 3, seed: 0 });
      const z1 = zero1.negatives();
      const z2 = zero2.negatives();
      expectClose(await z2.data(), await z1.data(), { atol: 0, rtol: 0 });
      tf.dispose([a, b, c, z1, z2]);
      [queue, same, other, zero1, zero2].forEach((q) => q.dispose());
    });

    for (const [size, batch, steps] of [
      [8, 4, 3], // size a multiple of the batch (MoCo's assumption)
      [10, 4, 6], // wrap-around mid-batch
      [7, 3, 5],
      [5, 5, 2], // batch equals size
      [3, 5, 3], // batch larger than the queue: only the last 3 keys of each batch remain
      [6, 1, 8],
    ] as const) {
      it(`matches writing keys one by one (size ${size}, batch ${batch})`, async () => {
        const dim = 3;
        const queue = createFeatureQueue({ size, dim, seed: 1 });
        const init = queue.negatives();
        let expected = { queue: await rowsOf(init), pointer: 0 };
        init.dispose();
        for (let s = 0; s < steps; s++) {
          const keys = normalizeRows(randomMatrix(100 + s, batch, dim));
          const t = toTensor2d(keys);
          expectNoLeak(() => queue.enqueue(t), 0);
          t.dispose();
          expected = queueWriteReference(expected.queue, expected.pointer, rowsOfMatrix(keys));
          expect(queue.pointer).toBe(expected.pointer);
          const now = queue.negatives();
          expectClose(await now.data(), expected.queue.flatMap((r) => Array.from(r)), { atol: 1e-6, rtol: 1e-6 });
          now.dispose();
        }
        queue.dispose();
      });
    }

    it('negatives() is a snapshot: later enqueues do not change it', async () => {
      const queue = createFeatureQueue({ size: 4, dim: 2 });
      const snapshot = expectNoLeak(() => queue.negatives(), 1);
      const before = Float32Array.from(await snapshot.data());
      const keys = tf.tensor2d([[1, 0], [0, 1]]);
      queue.enqueue(keys);
      expectClose(await snapshot.data(), before, { atol: 0, rtol: 0 });
      const after = queue.negatives();
      expectClose((await after.data()).slice(0, 4), [1, 0, 0, 1], { atol: 0 });
      tf.dispose([snapshot, keys, after]);
      queue.dispose();
    });

    it('normalises keys on enqueue unless normalize is false', async () => {
      const raw = tf.tensor2d([[3, 4]]);
      const normalised = createFeatureQueue({ size: 2, dim: 2 });
      const asIs = createFeatureQueue({ size: 2, dim: 2, normalize: false });
      normalised.enqueue(raw);
      asIs.enqueue(raw);
      const a = normalised.negatives();
      const b = asIs.negatives();
      expectClose((await a.data()).slice(0, 2), [0.6, 0.8], { atol: 1e-6 });
      expectClose((await b.data()).slice(0, 2), [3, 4], { atol: 0 });
      tf.dispose([raw, a, b]);
      normalised.dispose();
      asIs.dispose();
    });

    it('getState/setState round trip continues exactly like an uninterrupted queue', async () => {
      const reference = createFeatureQueue({ size: 10, dim: 3, seed: 2 });
      const restored = createFeatureQueue({ size: 10, dim: 3, seed: 99 });
      const batches = [0, 1, 2, 3].map((s) => toTensor2d(randomMatrix(50 + s, 4, 3)));
      reference.enqueue(batches[0]!);
      reference.enqueue(batches[1]!);
      const state = expectNoLeak(() => reference.getState(), 1);
      expect(state.pointer).toBe(8);
      restored.setState(state);
      state.queue.dispose(); // the queue keeps its own copy
      for (const b of batches.slice(2)) {
        reference.enqueue(b);
        restored.enqueue(b);
      }
      expect(restored.pointer).toBe(reference.pointer);
      const x = reference.negatives();
      const y = restored.negatives();
      expectClose(await y.data(), await x.data(), { atol: 0, rtol: 0 });
      tf.dispose([x, y, batches]);
      reference.dispose();
      restored.dispose();
    });

    it('frees its memory on dispose and then throws DISPOSED', () => {
      const before = tf.memory().numTensors;
      const queue = createFeatureQueue({ size: 8, dim: 4 });
      const keys = tf.ones([2, 4]) as tf.Tensor2D;
      queue.enqueue(keys);
      keys.dispose();
      queue.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expectCode(() => queue.negatives(), 'DISPOSED');
      expectCode(() => queue.enqueue(tf.ones([1, 4]) as tf.Tensor2D), 'DISPOSED');
      expectCode(() => queue.getState(), 'DISPOSED');
    });

    it('rejects bad input with code and argument name', () => {
      expectCode(() => createFeatureQueue({ size: 0, dim: 4 }), 'OUT_OF_RANGE', 'size');
      expectCode(() => createFeatureQueue({ size: 4, dim: 2.5 }), 'OUT_OF_RANGE', 'dim');
      const queue = createFeatureQueue({ size: 4, dim: 3 });
      const wrongDim = tf.ones([2, 4]) as tf.Tensor2D;
      const wrongRank = tf.ones([3]) as unknown as tf.Tensor2D;
      const ints = tf.ones([2, 3], 'int32') as tf.Tensor2D;
      expectCode(() => queue.enqueue(wrongDim), 'SHAPE_MISMATCH', 'keys');
      expectCode(() => queue.enqueue(wrongRank), 'RANK_MISMATCH', 'keys');
      expectCode(() => queue.enqueue(ints), 'DTYPE_MISMATCH', 'keys');
      const state = queue.getState();
      expectCode(() => queue.setState({ queue: state.queue, pointer: 4 }), 'OUT_OF_RANGE', 'state.pointer');
      expectCode(() => queue.setState({ queue: wrongDim, pointer: 0 }), 'SHAPE_MISMATCH', 'state.queue');
      tf.dispose([wrongDim, wrongRank, ints, state.queue]);
      queue.dispose();
    });
  });
});
