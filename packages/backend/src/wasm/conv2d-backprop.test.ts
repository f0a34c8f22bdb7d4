import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ContrastiveError } from '@contrastive/core';
import { expectClose } from '@contrastive/test-utils';
import { setBackend } from '../select-backend';
import { conv2dBackpropFilterWasm } from './conv2d-backprop-filter';
import { conv2dBackpropInputWasm, phaseMacRatio, preferCol2im } from './conv2d-backprop-input';
import type { InputGradOptions } from './conv2d-backprop-input';
import { chooseLayout, imagesPerBlock } from './filter-grad-plan';
import type { FilterGradOptions } from './conv2d-backprop-filter';
import { convGeometry } from './conv-geometry';
import { runInKernelScope } from './kernel-scope';
import { expectParity } from './parity-helpers.test-utils';

type Pad = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]];

interface Case {
  n: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  k: number;
  strides: number | [number, number];
  pad: Pad;
}

const CASES: Case[] = [
  { n: 1, h: 6, w: 6, cin: 3, cout: 4, k: 3, strides: 1, pad: 'same' },
  { n: 3, h: 7, w: 5, cin: 2, cout: 5, k: 3, strides: 1, pad: 'valid' },
  { n: 2, h: 8, w: 8, cin: 4, cout: 3, k: 3, strides: 2, pad: 'same' },
  { n: 1, h: 9, w: 7, cin: 3, cout: 2, k: 3, strides: 2, pad: 'valid' },
  { n: 2, h: 7, w: 7, cin: 3, cout: 4, k: 1, strides: 1, pad: 'same' },
  { n: 2, h: 7, w: 6, cin: 3, cout: 4, k: 1, strides: 2, pad: 'valid' },
  { n: 2, h: 9, w: 9, cin: 2, cout: 3, k: 5, strides: 2, pad: 'same' },
  { n: 1, h: 10, w: 11, cin: 2, cout: 3, k: 5, strides: 1, pad: 'valid' },
  { n: 2, h: 11, w: 10, cin: 3, cout: 2, k: 7, strides: 2, pad: 'same' },
  { n: 1, h: 8, w: 8, cin: 1, cout: 2, k: 7, strides: 1, pad: 'same' },
  { n: 2, h: 10, w: 9, cin: 2, cout: 3, k: 3, strides: 3, pad: 'same' },
  { n: 2, h: 9, w: 8, cin: 2, cout: 3, k: 3, strides: [2, 1], pad: 'same' },
  { n: 2, h: 7, w: 7, cin: 2, cout: 3, k: 3, strides: 1, pad: 2 },
  { n: 2, h: 8, w: 7, cin: 2, cout: 3, k: 3, strides: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  // Stride 1 with asymmetric explicit padding (exact single-conv input gradient).
  { n: 2, h: 6, w: 7, cin: 2, cout: 3, k: 3, strides: 1, pad: [[0, 0], [0, 2], [1, 0], [0, 0]] },
  // Stride 1 with padding above k-1: the input gradient falls back to the phase path.
  { n: 1, h: 5, w: 6, cin: 2, cout: 3, k: 3, strides: 1, pad: 3 },
  // Five images: the filter gradient's image blocks end with a partial block.
  { n: 5, h: 6, w: 5, cin: 3, cout: 4, k: 3, strides: 1, pad: 'same' },
  { n: 5, h: 7, w: 7, cin: 2, cout: 3, k: 3, strides: 2, pad: 'valid' },
  { n: 3, h: 9, w: 9, cin: 2, cout: 2, k: 5, strides: 1, pad: 'same' },
];

const label = (c: Case): string =>
  `n${c.n} ${c.h}x${c.w} ${c.cin}->${c.cout} k${c.k} s${JSON.stringify(c.strides)} pad ${JSON.stringify(c.pad)}`;

const conv = (x: tf.Tensor, f: tf.Tensor, c: Case): tf.Tensor4D =>
  tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.strides, c.pad as 'same');

function outShape(c: Case): number[] {
  const info = tf.backend_util.computeConv2DInfo([c.n, c.h, c.w, c.cin], [c.k, c.k, c.cin, c.cout], c.strides, 1, c.pad);
  return info.outShape;
}

describe('Conv2DBackpropInput and Conv2DBackpropFilter on wasm match cpu', () => {
  for (const c of CASES) {
    it(`conv2d forward and both gradients: ${label(c)}`, async () => {
      await expectParity(
        {
          x: { shape: [c.n, c.h, c.w, c.cin], seed: 1 },
          f: { shape: [c.k, c.k, c.cin, c.cout], seed: 2 },
          dy: { shape: outShape(c), seed: 3 },
        },
        ({ x, f, dy }) => {
          const y = conv(x as tf.Tensor, f as tf.Tensor, c);
          const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, b, c), dy as tf.Tensor)));
          return [y, ...grads([x as tf.Tensor, f as tf.Tensor])];
        },
      );
    });
  }

  for (const c of CASES.filter((d) => typeof d.pad === 'string' && typeof d.strides === 'number')) {
    it(`conv2dTranspose forward and gradients: ${label(c)}`, async () => {
      const xShape: [number, number, number, number] = [c.n, c.h, c.w, c.cin];
      await expectParity(
        {
          y: { shape: outShape(c), seed: 4 },
          f: { shape: [c.k, c.k, c.cin, c.cout], seed: 5 },
          g: { shape: xShape, seed: 6 },
        },
        ({ y, f, g }) => {
          const t = (a: tf.Tensor, b: tf.Tensor): tf.Tensor =>
            tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, xShape, c.strides, c.pad as 'same');
          const out = t(y as tf.Tensor, f as tf.Tensor);
          const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(t(a, b), g as tf.Tensor)));
          return [out, ...grads([y as tf.Tensor, f as tf.Tensor])];
        },
      );
    });
  }

  it('the im2col filter-gradient path agrees with the conv path', async () => {
    await setBackend('wasm');
    for (const c of CASES.slice(0, 9)) {
      const x = tf.randomNormal([c.n, c.h, c.w, c.cin], 0, 1, 'float32', 7);
      const dy = tf.randomNormal(outShape(c), 0, 1, 'float32', 8);
      const shape = [c.k, c.k, c.cin, c.cout];
      const before = tf.engine().backend.numDataIds();
      const make = (method: 'conv' | 'im2col'): tf.Tensor => {
        const info = runInKernelScope(tf.backend(), (ops) =>
          conv2dBackpropFilterWasm(ops, x, dy, shape, c.strides, c.pad as 'same', undefined, { method }),
        );
        return tf.engine().makeTensorFromTensorInfo(info);
      };
      const a = make('conv');
      const b = make('im2col');
      expect(b.shape).toEqual(shape);
      const [av, bv] = [await a.data(), await b.data()];
      for (let i = 0; i < av.length; i++) expect(Math.abs((av[i] as number) - (bv[i] as number))).toBeLessThan(1e-3);
      tf.dispose([a, b]);
      expect(tf.engine().backend.numDataIds()).toBe(before);
      tf.dispose([x, dy]);
    }
  });

  it('the blocked im2col filter gradient (both layouts; 1, 2 and 3 images per block) equals one block and the conv path', async () => {
    await setBackend('wasm');
    for (const c of CASES.filter((d) => d.n >= 2)) {
      const x = tf.randomNormal([c.n, c.h, c.w, c.cin], 0, 1, 'float32', 9);
      const dy = tf.randomNormal(outShape(c), 0, 1, 'float32', 10);
      const shape = [c.k, c.k, c.cin, c.cout];
      const [, oh, ow] = outShape(c) as [number, number, number, number];
      const before = tf.engine().backend.numDataIds();
      const make = (options: FilterGradOptions): Float32Array => {
        const info = runInKernelScope(tf.backend(), (ops) =>
          conv2dBackpropFilterWasm(ops, x, dy, shape, c.strides, c.pad as 'same', undefined, options),
        );
        const t = tf.engine().makeTensorFromTensorInfo(info);
        const values = t.dataSync() as Float32Array;
        t.dispose();
        return values;
      };
      const reference = make({ method: 'conv' });
      for (const layout of ['channel-rows', 'batch-inner'] as const) {
        const whole = make({ layout, blockColumns: c.n * oh * ow });
        expectClose(whole, reference, { atol: 1e-4, rtol: 1e-4 });
        for (const images of [1, 2, 3]) {
          expectClose(make({ layout, blockColumns: images * oh * ow }), whole, { atol: 1e-4, rtol: 1e-4 });
        }
      }
      expect(tf.engine().backend.numDataIds()).toBe(before);
      tf.dispose([x, dy]);
    }
  });

  it('the input gradient by col2im (blocks of 1, 2 and all images) equals the phase path', async () => {
    await setBackend('wasm');
    for (const c of CASES) {
      const f = tf.randomNormal([c.k, c.k, c.cin, c.cout], 0, 1, 'float32', 11);
      const dy = tf.randomNormal(outShape(c), 0, 1, 'float32', 12);
      const inShape = [c.n, c.h, c.w, c.cin];
      const before = tf.engine().backend.numDataIds();
      const make = (options: InputGradOptions): Float32Array => {
        const info = runInKernelScope(tf.backend(), (ops) =>
          conv2dBackpropInputWasm(ops, dy, f, inShape, c.strides, c.pad as 'same', undefined, options),
        );
        const t = tf.engine().makeTensorFromTensorInfo(info);
        expect(t.shape).toEqual(inShape);
        const values = t.dataSync() as Float32Array;
        t.dispose();
        return values;
      };
      const phase = make({ method: 'phase' });
      for (const blockImages of [1, 2, undefined]) {
        expectClose(make({ method: 'col2im', ...(blockImages === undefined ? {} : { blockImages }) }), phase, { atol: 1e-4, rtol: 1e-4 });
      }
      expect(tf.engine().backend.numDataIds()).toBe(before);
      tf.dispose([f, dy]);
    }
  });

  it('preferCol2im picks col2im for the stride-2 convs of ResNet-18 and the phases for a 32->64 stride-2 same conv', () => {
    const pick = (x: number[], f: number[], pad: 'same' | 'valid') => {
      const g = convGeometry(x, f, 2, 1, pad, undefined);
      return { ratio: phaseMacRatio(g, f), col2im: preferCol2im(g, f) };
    };
    expect(pick([1, 10, 10, 256], [3, 3, 256, 512], 'valid')).toEqual({ ratio: 300 / 144, col2im: true });
    expect(pick([1, 34, 34, 64], [3, 3, 64, 128], 'valid')).toEqual({ ratio: 3468 / 2304, col2im: true });
    expect(pick([1, 32, 32, 64], [1, 1, 64, 128], 'valid')).toEqual({ ratio: 2, col2im: true });
    expect(pick([1, 32, 32, 32], [3, 3, 32, 64], 'same').col2im).toBe(false);
    expect(pick([1, 16, 16, 64], [3, 3, 64, 128], 'same').col2im).toBe(true);
  });

  it('imagesPerBlock rounds the block to whole images, at least one and at most the batch', () => {
    // ResNet-18 CIFAR at batch 128: 3x3 convs of 64 channels 32x32 (channel rows), the RGB stem,
    // 128 channels 16x16 and 512 channels 4x4 (batch inner).
    expect(imagesPerBlock(128, 1024, 64, 576, 'channel-rows')).toBe(1);
    expect(imagesPerBlock(128, 1024, 64, 27, 'channel-rows')).toBe(9);
    expect(imagesPerBlock(128, 256, 128, 1152, 'batch-inner')).toBe(56);
    expect(imagesPerBlock(128, 16, 512, 4608, 'batch-inner')).toBe(64);
    expect(imagesPerBlock(8, 16, 512, 4608, 'batch-inner')).toBe(8);
    expect(imagesPerBlock(128, 50176, 64, 576, 'channel-rows')).toBe(1);
    expect(imagesPerBlock(10, 100, 64, 576, 'batch-inner', 250)).toBe(3);
  });

  it('chooseLayout copies whole planes or rows of at least 24 stride-1 outputs, otherwise runs of images', () => {
    const geometry = (w: number, stride: number, pad: 'same' | 'valid') =>
      convGeometry([1, w, w, 4], [3, 3, 4, 4], stride, 1, pad, undefined);
    expect(chooseLayout(geometry(32, 1, 'same'))).toBe('channel-rows');
    expect(chooseLayout(geometry(16, 1, 'same'))).toBe('channel-rows');
    expect(chooseLayout(geometry(8, 1, 'same'))).toBe('batch-inner');
    expect(chooseLayout(geometry(16, 1, 'valid'))).toBe('batch-inner');
    expect(chooseLayout(geometry(34, 1, 'valid'))).toBe('channel-rows');
    expect(chooseLayout(geometry(64, 2, 'same'))).toBe('batch-inner');
  });

  it('rejects NCHW with a ContrastiveError naming dataFormat', async () => {
    await setBackend('wasm');
    const dy = tf.zeros([1, 2, 4, 4]);
    const f = tf.zeros([3, 3, 2, 2]);
    let error: unknown;
    try {
      tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: f }, {
        strides: 1,
        pad: 'same',
        dataFormat: 'NCHW',
        inputShape: [1, 2, 4, 4],
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ContrastiveError);
    expect((error as ContrastiveError).code).toBe('INVALID_ARGUMENT');
    expect((error as Error).message).toContain("'dataFormat'");
    tf.dispose([dy, f]);
  });
});
