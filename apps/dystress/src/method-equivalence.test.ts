/**
 * The DySTreSS method computes DySTreSS (spec §4(a)): for one seeded batch
 * its loss and gradients equal the temperature-scheduled NT-Xent (or TSDCL)
 * on explicitly built inputs: both views through the one online encoder in a
 * single batch, z1 the first B rows and z2 the last B, the preset's tau_min,
 * tau_max, shift, scale, and the temperature computed on a detached
 * similarity when the preset says so (the gradients tell). No other variable
 * gets a gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, it } from 'vitest';
import { dystressDclLoss, dystressLoss } from '@contrastive/loss-dystress';
import { useBackend } from '@contrastive/test-utils';
import { resolveConfig } from '@contrastive/train';
import { expectSameLossAndGradients, methodContext, seededViews } from '../../kit/src/testing/method-harness';
import { createDystressMethod } from './method';
import { dystressSchema, DYSTRESS_PRESETS, type DystressConfig } from './index';

const BATCH = 8;

function configWith(method: Record<string, unknown>): DystressConfig {
  return resolveConfig(dystressSchema, { ...DYSTRESS_PRESETS.smoke, method }) as DystressConfig;
}

const cases: [string, DystressConfig][] = [
  ...Object.entries(DYSTRESS_PRESETS).map(([name, preset]) => [`preset ${name}`, configWith({ ...preset.method })] as [string, DystressConfig]),
  // Values no preset and no default has, both losses, both stop-gradient choices, the shifted form.
  ['unusual values, ntxent, temperature not detached', configWith({ loss: 'ntxent', tauMin: 0.13, tauMax: 0.41, detachTemperature: false })],
  ['unusual values, dcl, shifted', configWith({ loss: 'dcl', tauMin: 0.09, tauMax: 0.33, shift: 0.2, scale: 0.7, detachTemperature: true })],
  ['unusual values, dcl, temperature not detached', configWith({ loss: 'dcl', tauMin: 0.11, tauMax: 0.29, detachTemperature: false })],
];

describe('dystress method = temperature-scheduled NT-Xent / DCL of the online encoder over both views (one pass or one per view, as the preset says)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it.each(cases)('%s', (_, config) => {
    const m = config.method;
    const ctx = methodContext(config);
    const method = createDystressMethod(ctx);
    const views = seededViews(2, BATCH, 300);
    const batch = { indices: Int32Array.from({ length: BATCH }, (_, i) => i), epoch: 0, step: 0 };
    const options = { tauMin: m.tauMin, tauMax: m.tauMax, shift: m.shift, scale: m.scale, detachTemperature: m.detachTemperature };
    expectSameLossAndGradients(
      ctx.encoder,
      () => method.loss(views, batch),
      () => {
        // 'separately': one encoder pass per view (BN statistics per view); 'together': one pass over both.
        const [z1, z2] =
          m.encodeViews === 'separately'
            ? views.map((v) => ctx.encoder.forward(v).projections)
            : (tf.split(ctx.encoder.forward(tf.concat(views, 0) as tf.Tensor4D).projections, 2, 0) as tf.Tensor2D[]);
        return m.loss === 'dcl' ? dystressDclLoss(z1, z2, options) : dystressLoss(z1, z2, options);
      },
    );
    tf.dispose(views);
    method.dispose();
    ctx.encoder.model.dispose();
  });
});
