import { expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends } from '@contrastive/test-utils';
import { readBlock } from './read-block';

describeBackends(['cpu', 'wasm'], (backend) => {
  it('reads a block\'s values; on wasm as a view of the heap, without a copy', async () => {
    const t = tf.tidy(() => tf.add(tf.tensor2d([[1, 2, 3], [4, 5, 6]]), 0.5));
    const values = await readBlock(t);
    expect(Array.from(values)).toEqual([1.5, 2.5, 3.5, 4.5, 5.5, 6.5]);
    if (backend === 'wasm') {
      // A view: its buffer is the wasm heap, far larger than the block.
      expect(values.buffer.byteLength).toBeGreaterThan(values.byteLength);
    }
    t.dispose();
  });
});
