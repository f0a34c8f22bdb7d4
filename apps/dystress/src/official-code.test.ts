/**
 * Paper presets against the official code, sadimanna/DySTreSS @
 * 36e878b59b20e70c8880137fe7188fe9f25a290c: smallscale/main.py (CIFAR) and
 * imagenet/tssimclr.py (the lightly ImageNet code).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { buildEncoder } from '@contrastive/app-kit';
import { useBackend } from '@contrastive/test-utils';
import { dystressLoss } from '@contrastive/loss-dystress';
import { resolveConfig } from '@contrastive/train';
import { createDystressMethod } from './method';
import { dystressSchema, DYSTRESS_PRESETS, type DystressConfig } from './index';

const config = (name: keyof typeof DYSTRESS_PRESETS) => resolveConfig(dystressSchema, DYSTRESS_PRESETS[name]) as DystressConfig;
const at = (c: unknown, path: string) => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], c);

describe('dystress paper presets = the official code', () => {
  it.each([
    ['paper-cifar10', 'method.encodeViews', 'separately', 'smallscale/main.py:73-74 _, z_1 = net(pos_1); _, z_2 = net(pos_2)'],
    ['paper-cifar100', 'method.encodeViews', 'separately', 'smallscale/main.py:73-74 (the same code for --dataset cifar100)'],
    ['paper-cifar10', 'method.tauMin', 0.07, "smallscale/main.py:158 '--tmin' default 0.07"],
    ['paper-cifar10', 'method.tauMax', 0.2, "smallscale/main.py:159 '--tmax' default 0.2"],
    ['paper-cifar10', 'eval.knnK', 200, "smallscale/main.py:163 '--k' default 200"],
    ['paper-cifar10', 'eval.knnT', 0.1, "smallscale/main.py:162 '--knn_t' default 0.1"],
    ['paper-cifar10', 'train.batchSize', 128, "smallscale/main.py:164 '--batch_size' default 128 (drop_last, :186)"],
    ['paper-cifar10', 'train.epochs', 200, "smallscale/main.py:165 '--epochs' default 200"],
    ['paper-cifar10', 'optimizer.lr', 0.2, "smallscale/main.py:167 '--lr' default 0.2"],
    ['paper-cifar10', 'optimizer.momentum', 0, 'smallscale/main.py:233 optim.SGD(..., lr, weight_decay=5e-4): no momentum argument'],
    ['paper-cifar10', 'optimizer.weightDecay', 5e-4, 'smallscale/main.py:233 weight_decay=5e-4'],
    ['paper-cifar10', 'schedule.per', 'epoch', 'smallscale/main.py:235 CosineAnnealingLR(T_max=epochs), stepped per epoch'],
    ['paper-imagenet', 'method.encodeViews', 'together', 'imagenet/tssimclr.py:43 self.forward(torch.cat(views))'],
    ['paper-imagenet100', 'method.encodeViews', 'together', 'imagenet/tssimclr.py:43'],
  ] as [keyof typeof DYSTRESS_PRESETS, string, unknown, string][])('%s: %s = %s (%s)', (preset, path, value) => {
    expect(at(config(preset), path)).toBe(value);
  });
});

describe("method.encodeViews: 'separately' normalises each view with its own BatchNorm statistics", () => {
  it('gives the loss of per-view forwards, and differs from the stacked pass', async () => {
    await useBackend('cpu');
    const together = config('smoke');
    const separately = { ...together, method: { ...together.method, encodeViews: 'separately' as const } };
    const encoder = buildEncoder(together.model, [28, 28, 1], 0);
    const v1 = tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const v2 = tf.add(tf.mul(v1, 0.5), 0.4) as tf.Tensor4D; // a second view with other batch statistics
    const context = (c: DystressConfig) => ({ config: c, encoder }) as unknown as Parameters<typeof createDystressMethod>[0];
    const batch = { indices: new Int32Array(8), epoch: 0, step: 0 };
    const expected = tf.tidy(() =>
      dystressLoss(encoder.forward(v1).projections, encoder.forward(v2).projections, { tauMin: 0.07, tauMax: 0.2, shift: null, scale: 1, detachTemperature: true }),
    );
    const sep = createDystressMethod(context(separately)).loss([v1, v2], batch);
    const tog = createDystressMethod(context(together)).loss([v1, v2], batch);
    const [e, s, t] = [(await expected.data())[0]!, (await sep.data())[0]!, (await tog.data())[0]!];
    expect(s).toBeCloseTo(e, 5);
    expect(Math.abs(s - t)).toBeGreaterThan(1e-4);
    tf.dispose([v1, v2, expected, sep, tog]);
    encoder.model.dispose();
  });
});
