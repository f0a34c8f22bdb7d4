/**
 * DySTreSS's temperature and losses on webgpu against cpu: value and
 * gradients from the same float32 inputs, read asynchronously (webgpu in
 * Node has no synchronous read). The detached forms run on core's fused
 * view-pair op (the main form through the polynomial temperature on unit
 * rows), the others by autodiff through the cosine.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { describeBackends, expectParity, seededInput, inBothKernelModes } from '@contrastive/test-utils';
import { dystressDclLoss, dystressLoss, dystressTemperature, type DystressLossOptions, type DystressTemperatureOptions } from './index';
import { resolveTemperatureOptions } from './dystress-temperature';
import { scaledByTemperature } from './pair-logits';
import { unitTemperature } from './unit-temperature';

const m = (t: Tensor) => t as Tensor2D;

/** The temperature forms of the paper and the code (spec §4(a), §4(b)). */
const FORMS: [string, DystressTemperatureOptions][] = [
  ['main', {}],
  ['main 0.1-0.3', { tauMin: 0.1, tauMax: 0.3 }],
  ['shift -0.2 k 0.8', { shift: -0.2, scale: 0.8 }],
  ['shift 0.4 k 0.7', { shift: 0.4, scale: 0.7, tauMin: 0.1 }],
  ['shift -0.4 k 0.8', { shift: -0.4, scale: 0.8 }],
];

describeBackends(['webgpu'], (backend) => {
  inBothKernelModes(() => {
    it('dystressTemperature: every form, value and gradient on [-1, 1]', async () => {
      // Grid points at -1, 0, 1 and the shifts are included exactly.
      const grid = { values: Array.from({ length: 41 }, (_, i) => -1 + i / 20), shape: [41] };
      for (const [name, options] of FORMS) {
        await expectParity({ inputs: [grid], fn: (s) => dystressTemperature(s, options) }, backend, `temperature ${name} grid`);
        await expectParity({ inputs: [seededInput(1, [6, 7])], fn: (s) => dystressTemperature(s, options) }, backend, `temperature ${name} [6, 7]`);
      }
    });

    it('internal: the polynomial temperature (fused path) and s / tau(s), detached or not', async () => {
      const grid = { values: Array.from({ length: 41 }, (_, i) => -1 + i / 20), shape: [41] };
      for (const [name, options] of FORMS) {
        const t = resolveTemperatureOptions('test', options);
        if (t.shift === null) {
          await expectParity({ inputs: [grid], fn: (s) => tf.tidy(() => unitTemperature(s, t)), wrt: [] }, backend, `unitTemperature ${name}`);
        }
        for (const detach of [true, false]) {
          await expectParity(
            { inputs: [seededInput(8, [5, 9])], fn: (s) => tf.tidy(() => scaledByTemperature(s, t, detach)) },
            backend,
            `scaledByTemperature ${name} detach=${detach}`,
          );
        }
      }
    });

    const losses = [
      ['NT-Xent', dystressLoss],
      ['TSDCL', dystressDclLoss],
    ] as const;

    it('dystressLoss and dystressDclLoss, detached temperatures (fused): forms, unnormalised rows, batch sizes', async () => {
      for (const [name, loss] of losses) {
        for (const [form, options] of FORMS) {
          await expectParity(
            { inputs: [seededInput(2, [12, 16]), seededInput(3, [12, 16])], fn: (a, b) => loss(m(a), m(b), options) },
            backend,
            `${name} ${form}`,
          );
        }
        const sizes: [number, number, DystressLossOptions][] = [
          [name === 'NT-Xent' ? 1 : 2, 3, {}],
          [33, 128, {}],
          [64, 32, { tauMin: 0.05, tauMax: 0.2 }],
          [9, 8, { normalize: false }],
          [9, 8, { normalize: false, shift: -0.2, scale: 0.8 }],
        ];
        for (const [batch, dim, options] of sizes) {
          await expectParity(
            { inputs: [seededInput(4, [batch, dim], options.normalize === false ? 0.4 : 1), seededInput(5, [batch, dim], options.normalize === false ? 0.4 : 1)], fn: (a, b) => loss(m(a), m(b), options) },
            backend,
            `${name} b=${batch} d=${dim} ${JSON.stringify(options)}`,
          );
        }
      }
    });

    it('dystressLoss and dystressDclLoss with the temperature differentiated (autodiff)', async () => {
      for (const [name, loss] of losses) {
        const cases: [number, number, DystressLossOptions][] = [
          [12, 16, { detachTemperature: false }],
          [12, 16, { detachTemperature: false, shift: -0.4, scale: 0.8 }],
          [33, 64, { detachTemperature: false, tauMin: 0.05 }],
          [name === 'NT-Xent' ? 1 : 2, 4, { detachTemperature: false }],
          [7, 8, { detachTemperature: false, normalize: false }],
        ];
        for (const [batch, dim, options] of cases) {
          await expectParity(
            { inputs: [seededInput(6, [batch, dim], options.normalize === false ? 0.4 : 1), seededInput(7, [batch, dim], options.normalize === false ? 0.4 : 1)], fn: (a, b) => loss(m(a), m(b), options) },
            backend,
            `${name} b=${batch} d=${dim} ${JSON.stringify(options)}`,
          );
        }
      }
    });
  });
});
