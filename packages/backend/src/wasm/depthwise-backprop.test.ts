import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { setBackend } from '../select-backend';
import { expectParity } from './parity-helpers.test-utils';

interface Case {
  n: number;
  h: number;
  w: number;
  c: number;
  m: number;
  k: number;
  strides: number;
  dilations: number;
  pad: 'same' | 'valid' | number;
}

const CASES: Case[] = [
  { n: 1, h: 6, w: 6, c: 3, m: 1, k: 3, strides: 1, dilations: 1, pad: 'same' },
  { n: 3, h: 7, w: 5, c: 2, m: 2, k: 3, strides: 1, dilations: 1, pad: 'valid' },
  { n: 2, h: 8, w: 8, c: 4, m: 1, k: 3, strides: 2, dilations: 1, pad: 'same' },
  { n: 1, h: 9, w: 7, c: 3, m: 2, k: 3, strides: 2, dilations: 1, pad: 'valid' },
  { n: 2, h: 7, w: 7, c: 2, m: 1, k: 1, strides: 2, dilations: 1, pad: 'same' },
  { n: 2, h: 9, w: 9, c: 2, m: 1, k: 5, strides: 2, dilations: 1, pad: 'same' },
  { n: 1, h: 11, w: 10, c: 2, m: 3, k: 7, strides: 1, dilations: 1, pad: 'same' },
  { n: 2, h: 9, w: 8, c: 2, m: 1, k: 3, strides: 1, dilations: 2, pad: 'same' },
  { n: 2, h: 10, w: 9, c: 3, m: 2, k: 3, strides: 1, dilations: 2, pad: 'valid' },
  { n: 2, h: 7, w: 7, c: 2, m: 1, k: 3, strides: 1, dilations: 1, pad: 1 },
];

const label = (c: Case): string =>
  `n${c.n} ${c.h}x${c.w} c${c.c} m${c.m} k${c.k} s${c.strides} d${c.dilations} pad ${JSON.stringify(c.pad)}`;

function outShape(c: Case): number[] {
  return tf.backend_util.computeConv2DInfo([c.n, c.h, c.w, c.c], [c.k, c.k, c.c, c.m], c.strides, c.dilations, c.pad, undefined, true)
    .outShape;
}

describe('DepthwiseConv2dNativeBackpropInput/Filter on wasm match cpu', () => {
  for (const c of CASES.filter((d) => d.dilations === 1)) {
    it(`backprop kernels: ${label(c)}`, async () => {
      const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad };
      await expectParity(
        {
          x: { shape: [c.n, c.h, c.w, c.c], seed: 1 },
          f: { shape: [c.k, c.k, c.c, c.m], seed: 2 },
          dy: { shape: outShape(c), seed: 3 },
        },
        ({ x, f, dy }) => [
          tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dy as tf.Tensor, filter: f as tf.Tensor }, {
            ...attrs,
            inputShape: [c.n, c.h, c.w, c.c],
          }) as tf.Tensor,
          tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: x as tf.Tensor, dy: dy as tf.Tensor }, {
            ...attrs,
            filterShape: [c.k, c.k, c.c, c.m],
          }) as tf.Tensor,
        ],
      );
    });
    {
      it(`depthwiseConv2d forward and gradients: ${label(c)}`, async () => {
        const dw = (a: tf.Tensor, b: tf.Tensor): tf.Tensor =>
          tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad as 'same');
        await expectParity(
          {
            x: { shape: [c.n, c.h, c.w, c.c], seed: 4 },
            f: { shape: [c.k, c.k, c.c, c.m], seed: 5 },
            dy: { shape: outShape(c), seed: 6 },
          },
          ({ x, f, dy }) => {
            const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(dw(a, b), dy as tf.Tensor)));
            return [dw(x as tf.Tensor, f as tf.Tensor), ...grads([x as tf.Tensor, f as tf.Tensor])];
          },
        );
      });
    }
  }

  // The cpu backprop kernels ignore dilation (they loop over undilated taps),
  // so dilated cases are checked with the adjoint identities
  // <dy, conv(x, f)> = <dx, x> = <dW, f> against the cpu forward conv.
  for (const c of CASES.filter((d) => d.dilations > 1)) {
    it(`dilated backprop kernels satisfy the adjoint identities: ${label(c)}`, async () => {
      const sums: number[] = [];
      for (const backend of ['cpu', 'wasm'] as const) {
        await setBackend(backend);
        const x = tf.randomNormal([c.n, c.h, c.w, c.c], 0, 1, 'float32', 1);
        const f = tf.randomNormal([c.k, c.k, c.c, c.m], 0, 1, 'float32', 2);
        const dy = tf.randomNormal(outShape(c), 0, 1, 'float32', 3);
        const before = tf.memory().numTensors;
        const dataIds = tf.engine().backend.numDataIds();
        const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad };
        const forward = tf.tidy(() =>
          tf.sum(tf.mul(dy, tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, c.pad as 'same', 'NHWC', c.dilations))),
        );
        sums.push((await forward.data())[0] as number);
        if (backend === 'wasm') {
          const dx = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: f }, {
            ...attrs,
            inputShape: x.shape,
          }) as tf.Tensor;
          const dw = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, {
            ...attrs,
            filterShape: f.shape,
          }) as tf.Tensor;
          expect(dx.shape).toEqual(x.shape);
          expect(dw.shape).toEqual(f.shape);
          const viaX = tf.tidy(() => tf.sum(tf.mul(dx, x)));
          const viaF = tf.tidy(() => tf.sum(tf.mul(dw, f)));
          const [a, b] = [(await viaX.data())[0] as number, (await viaF.data())[0] as number];
          const ref = sums[0] as number;
          expect(Math.abs(a - ref)).toBeLessThan(1e-3 * (1 + Math.abs(ref)));
          expect(Math.abs(b - ref)).toBeLessThan(1e-3 * (1 + Math.abs(ref)));
          tf.dispose([dx, dw, viaX, viaF]);
        }
        forward.dispose();
        expect(tf.memory().numTensors).toBe(before);
        expect(tf.engine().backend.numDataIds()).toBe(dataIds);
        tf.dispose([x, f, dy]);
      }
      expect(Math.abs((sums[1] as number) - (sums[0] as number))).toBeLessThan(1e-3 * (1 + Math.abs(sums[0] as number)));
    });
  }
});
