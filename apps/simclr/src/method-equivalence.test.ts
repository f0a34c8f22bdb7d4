/**
 * The SimCLR method computes SimCLR (spec §1(a)): for one seeded batch its
 * loss and gradients equal NT-Xent on explicitly built inputs: both views
 * through the one online encoder in a single batch (BatchNorm statistics
 * over all 2B images, SimCLR's global BN), z1 the first B rows and z2 the
 * last B, the preset's temperature and reduction. No other variable gets a
 * gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, it } from 'vitest';
import { ntXentLoss } from '@contrastive/loss-infonce';
import { useBackend } from '@contrastive/test-utils';
import { resolveConfig } from '@contrastive/train';
import { expectSameLossAndGradients, methodContext, seededViews } from '../../kit/src/testing/method-harness';
import { createSimclrMethod } from './method';
import { simclrSchema, SIMCLR_PRESETS, type SimclrConfig } from './index';

const BATCH = 8;

function configWith(method: Record<string, unknown>): SimclrConfig {
  return resolveConfig(simclrSchema, { ...SIMCLR_PRESETS.smoke, method }) as SimclrConfig;
}

const cases: [string, SimclrConfig][] = [
  ...Object.entries(SIMCLR_PRESETS).map(([name, preset]) => [`preset ${name}`, configWith({ ...preset.method })] as [string, SimclrConfig]),
  ['unusual values', configWith({ temperature: 0.37, reduction: 'simclr-code' })],
];

describe('simclr method = NT-Xent of one online forward over both views', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it.each(cases)('%s', (_, config) => {
    const ctx = methodContext(config);
    const method = createSimclrMethod(ctx);
    const views = seededViews(2, BATCH, 200);
    const batch = { indices: Int32Array.from({ length: BATCH }, (_, i) => i), epoch: 0, step: 0 };
    expectSameLossAndGradients(
      ctx.encoder,
      () => method.loss(views, batch),
      () => {
        const z = ctx.encoder.forward(tf.concat(views, 0) as tf.Tensor4D).projections;
        const [z1, z2] = tf.split(z, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
        return ntXentLoss(z1, z2, { temperature: config.method.temperature, reduction: config.method.reduction });
      },
    );
    tf.dispose(views);
    method.dispose();
    ctx.encoder.model.dispose();
  });
});
