import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { RESAMPLE_GRIDS_KERNEL, resampleGridsInto, type ResampleGridsAttrs } from '@contrastive/core';
import { setBackend } from './select-backend';
import { IMAGE_KERNELS, registerImageKernels } from './resample-grids-kernel';

const run = (images: tf.Tensor, attrs: ResampleGridsAttrs): tf.Tensor =>
  tf.engine().runKernel(RESAMPLE_GRIDS_KERNEL, { images }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;

describe('ContrastiveResampleGrids kernel', () => {
  const shape: [number, number, number, number] = [3, 6, 7, 3];
  const values = Float32Array.from({ length: 3 * 6 * 7 * 3 }, (_, i) => Math.sin(i * 0.37) * 0.5 + 0.5);
  const attrs = (layout: ResampleGridsAttrs['layout']): ResampleGridsAttrs => ({
    grids: [-0.3, 0.7, 0.2, 1.3, 0, 1.1, 0.45, -0.4, 0.6, 1, 0, 1, 0, 1, 0],
    size: [8, 5],
    layout,
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    for (const layout of ['nhwc', 'stacked'] as const) {
      it(`${backend}, ${layout}: the backend's result is the shared arithmetic's, and nothing leaks`, async () => {
        await setBackend(backend);
        const images = tf.tensor4d(values, shape);
        const before = tf.memory().numTensors;
        const out = run(images, attrs(layout));
        expect(out.shape).toEqual(layout === 'nhwc' ? [3, 8, 5, 3] : [40, 3, 3]);
        const want = new Float32Array(3 * 8 * 5 * 3);
        resampleGridsInto(values, want, shape, attrs(layout));
        expect(Array.from(await out.data())).toEqual(Array.from(want));
        out.dispose();
        expect(tf.memory().numTensors).toBe(before);
        images.dispose();
      });
    }
  }

  it('registers for wasm and cpu, idempotently, from setBackend', async () => {
    await setBackend('cpu');
    registerImageKernels();
    expect(IMAGE_KERNELS.map((k) => k.backendName).sort()).toEqual(['cpu', 'wasm']);
    for (const name of ['cpu', 'wasm']) expect(tf.getKernel(RESAMPLE_GRIDS_KERNEL, name)).toBeDefined();
  });

  it('rejects wrong inputs and attributes with ContrastiveError naming the argument', async () => {
    await setBackend('wasm');
    const images = tf.zeros([2, 4, 4, 3]);
    const good = { grids: Array(10).fill(0), size: [2, 2], layout: 'nhwc' } as ResampleGridsAttrs;
    expect(() => run(images, { ...good, grids: [0, 1] })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'grids' }));
    expect(() => run(images, { ...good, size: [0, 2] })).toThrow(expect.objectContaining({ argument: 'size' }));
    expect(() => run(images, { ...good, layout: 'nchw' as never })).toThrow(expect.objectContaining({ argument: 'layout' }));
    const ints = tf.zeros([2, 4, 4, 3], 'int32');
    expect(() => run(ints, good)).toThrow(expect.objectContaining({ argument: 'images' }));
    tf.dispose([images, ints]);
  });
});
