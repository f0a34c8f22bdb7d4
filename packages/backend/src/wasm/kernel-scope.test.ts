import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ContrastiveError } from '@contrastive/core';
import { setBackend } from '../select-backend';
import { runInKernelScope } from './kernel-scope';

describe('runInKernelScope gatherFlat (wasm heap gather)', () => {
  it('gathers by flat index with a zero sentinel, bit-exact, without leaks', async () => {
    await setBackend('wasm');
    const x = tf.tensor([1.5, -2, Number.NaN, 4, 5, 6], [2, 3]);
    const before = tf.engine().backend.numDataIds();
    const info = runInKernelScope(tf.backend(), (ops) => ops.gatherFlat(x, Int32Array.of(5, 6, 0, 2, 6, 1), [3, 2]));
    const out = tf.engine().makeTensorFromTensorInfo(info);
    expect(out.shape).toEqual([3, 2]);
    expect(out.dtype).toBe('float32');
    expect(Array.from(await out.data())).toEqual([6, 0, 1.5, Number.NaN, 0, -2]);
    out.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(before);
    x.dispose();
  });

  it('rejects an index of the wrong length and a bool tensor (ContrastiveError, nothing leaked)', async () => {
    await setBackend('wasm');
    const x = tf.tensor([1, 2, 3]);
    const b = tf.tensor([true, false], [2], 'bool');
    const before = tf.engine().backend.numDataIds();
    const caught = (fn: () => unknown): ContrastiveError | undefined => {
      try {
        fn();
      } catch (e) {
        return e as ContrastiveError;
      }
      return undefined;
    };
    const wrongLength = caught(() => runInKernelScope(tf.backend(), (ops) => ops.gatherFlat(x, Int32Array.of(0, 1), [3])));
    expect(wrongLength).toBeInstanceOf(ContrastiveError);
    expect(wrongLength?.code).toBe('SHAPE_MISMATCH');
    const wrongDtype = caught(() => runInKernelScope(tf.backend(), (ops) => ops.gatherFlat(b, Int32Array.of(0, 1), [2])));
    expect(wrongDtype).toBeInstanceOf(ContrastiveError);
    expect(wrongDtype?.code).toBe('DTYPE_MISMATCH');
    expect(tf.engine().backend.numDataIds()).toBe(before);
    tf.dispose([x, b]);
  });
});

describe('runInKernelScope dispose (early release inside a composite kernel)', () => {
  it('frees an owned intermediate at once, keeps shared buffers until their last reference, ignores inputs', async () => {
    await setBackend('wasm');
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const before = tf.engine().backend.numDataIds();
    const info = runInKernelScope(tf.backend(), (ops) => {
      const sum = ops.add(x, x);
      const view = ops.reshape(sum, [4]);
      ops.dispose(x); // an input: not owned, nothing happens
      ops.dispose(sum); // the reshape still references the buffer
      expect(tf.engine().backend.numDataIds()).toBe(before + 1);
      const doubled = ops.add(view, view);
      ops.dispose(view); // last reference: freed now
      ops.dispose(view); // already released: no-op
      expect(tf.engine().backend.numDataIds()).toBe(before + 1);
      return doubled;
    });
    const out = tf.engine().makeTensorFromTensorInfo(info);
    expect(Array.from(await out.data())).toEqual([4, 8, 12, 16]);
    out.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(before);
    expect(Array.from(await x.data())).toEqual([1, 2, 3, 4]);
    x.dispose();
  });
});

describe('runInKernelScope heapPassInto (a heap pass into an intermediate, e.g. col2im)', () => {
  it('adds into a scope-owned float32 tensor and refuses kernel inputs', async () => {
    await setBackend('wasm');
    // col2im of one 1x1 output with a 1x1 filter onto a 1x1x3 image: dx += cols.
    const cols = tf.tensor([1, 2, 3]);
    const before = tf.engine().backend.numDataIds();
    const params = [1, 1, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1];
    const info = runInKernelScope(tf.backend(), (ops) => {
      const acc = ops.call('Fill', {}, { shape: [1, 1, 1, 3], value: 0.5, dtype: 'float32' });
      ops.heapPassInto('col2imAdd', cols, acc, params);
      ops.heapPassInto('col2imAdd', cols, acc, params);
      expect(() => ops.heapPassInto('col2imAdd', acc, cols, params)).toThrow(ContrastiveError);
      return acc;
    });
    const out = tf.engine().makeTensorFromTensorInfo(info);
    expect(Array.from(await out.data())).toEqual([2.5, 4.5, 6.5]);
    expect(Array.from(await cols.data())).toEqual([1, 2, 3]);
    out.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(before);
    cols.dispose();
  });
});
