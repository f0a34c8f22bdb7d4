import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { isContrastiveError } from '@contrastive/core';
import { expectNoLeak, useBackend } from '@contrastive/test-utils';
import { countParameters } from './compose';
import { projectionHeadPreset, PROJECTION_HEAD_PRESETS } from './head-presets';
import { createPredictionHead, createProjectionHead } from './heads';

function layerKinds(model: { layers: { getClassName(): string }[] }): string[] {
  return model.layers.map((l) => l.getClassName()).filter((n) => n !== 'InputLayer');
}

describe('projection and prediction heads', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  /**
   * PyTorch counts of the same heads (torch 1.13, sum(p.numel()) / running buffers):
   *   linear 512:   nn.Linear(512, 128) -> 65,664
   *   moco-v2 2048: Linear(2048, 2048), ReLU, Linear(2048, 128) -> 4,458,624
   *   dystress 512: Linear(512, 512, bias=False), BN1d(512), ReLU, Linear(512, 128, bias=False), BN1d(128) -> 328,960 (+1,280 running)
   *   cacr 4096:    nn.Linear(4096, 128) -> 524,416
   *   moco-v3 2048: 3-layer MLP 4096-4096-256, last BN affine=False -> 26,230,784 (+16,896 running)
   *   predictor:    Linear(256, 4096, bias=False), BN1d(4096), ReLU, Linear(4096, 256, bias=False) -> 2,105,344 (+8,192)
   * simclr 2048 (SimCLR's TF linear_layer, gamma-only final BN): 2048^2 + 2*2048 + 2048*128 + 128.
   */
  const cases: [Parameters<typeof projectionHeadPreset>[0], number, number, number][] = [
    ['linear', 512, 65_664, 0],
    ['moco-v2', 2048, 4_458_624, 0],
    ['dystress', 512, 328_960, 1_280],
    ['simo', 512, 328_960, 1_280],
    ['cacr', 4096, 524_416, 0],
    ['simclr', 2048, 2048 * 2048 + 2 * 2048 + 2048 * 128 + 128, 2 * 2048 + 2 * 128],
  ];
  for (const [preset, inputDim, trainable, running] of cases) {
    it(`preset ${preset} (${inputDim}) has PyTorch's parameter count`, () => {
      const head = createProjectionHead(projectionHeadPreset(preset, inputDim));
      expect(countParameters(head.model)).toEqual({ trainable, nonTrainable: running, total: trainable + running });
      head.model.dispose();
    });
  }

  it('moco-v3 projector and the default prediction head match MoCo v3', () => {
    const projector = createProjectionHead(projectionHeadPreset('moco-v3', 2048));
    expect(countParameters(projector.model)).toMatchObject({ trainable: 26_230_784, nonTrainable: 16_896 });
    expect(projector.outputDim).toBe(256);
    const predictor = createPredictionHead({ inputDim: 256 });
    expect(countParameters(predictor.model)).toMatchObject({ trainable: 2_105_344, nonTrainable: 8_192 });
    expect(layerKinds(predictor.model)).toEqual(['Dense', 'SplitBatchNormalization', 'Dense']);
    projector.model.dispose();
    predictor.model.dispose();
  });

  it('builds the layer order of each paper', () => {
    const expected: Record<string, string[]> = {
      linear: ['Dense'],
      'moco-v2': ['Dense', 'ReLU', 'Dense'],
      // BN before a ReLU carries it (activation 'relu').
      simclr: ['Dense', 'SplitBatchNormalization', 'Dense', 'SplitBatchNormalization'],
      'simclr-v2': ['Dense', 'SplitBatchNormalization', 'Dense', 'SplitBatchNormalization', 'Dense', 'SplitBatchNormalization'],
      dystress: ['Dense', 'SplitBatchNormalization', 'Dense', 'SplitBatchNormalization'],
      cacr: ['Dense'],
    };
    for (const [preset, kinds] of Object.entries(expected)) {
      const head = createProjectionHead(projectionHeadPreset(preset as 'linear', 16));
      expect(layerKinds(head.model)).toEqual(kinds);
      const activations = head.model.layers
        .filter((l) => l.getClassName() === 'SplitBatchNormalization')
        .map((l) => (l as unknown as { activation: string }).activation);
      expect(activations).toEqual(kinds.filter((k) => k === 'SplitBatchNormalization').map((_, i, all) => (i < all.length - 1 || preset === 'moco-v2' ? 'relu' : 'linear')));
      head.model.dispose();
    }
    expect(PROJECTION_HEAD_PRESETS).toContain('moco-v3');
  });

  it('initialises with N(0, initStd^2) and zero bias under init "normal" (CACR fc8: 0.02)', async () => {
    const head = createProjectionHead({ ...projectionHeadPreset('cacr', 1024), seed: 5 });
    const [kernel, bias] = head.model.getLayer('projection-head.fc1.linear').getWeights();
    const v = Float32Array.from(await kernel!.data());
    const std = Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    expect(std).toBeGreaterThan(0.019);
    expect(std).toBeLessThan(0.021);
    expect(Array.from(await bias!.data()).every((b) => b === 0)).toBe(true);
    head.model.dispose();
  });

  it('initialises with U(-1/sqrt(fan_in), 1/sqrt(fan_in)) under the torch default', async () => {
    const head = createProjectionHead({ inputDim: 400, outputDim: 300, bias: true, seed: 2 });
    const [kernel, bias] = head.model.getLayer('projection-head.fc1.linear').getWeights();
    const k = Float32Array.from(await kernel!.data());
    const b = Float32Array.from(await bias!.data());
    const bound = 1 / Math.sqrt(400);
    expect(Math.max(...k.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...k.map(Math.abs))).toBeGreaterThan(0.98 * bound);
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(bound);
    // Uniform on [-a, a] has variance a^2 / 3.
    const variance = k.reduce((s, x) => s + x * x, 0) / k.length;
    expect(variance / (bound * bound / 3)).toBeCloseTo(1, 1);
    head.model.dispose();
  });

  it('maps [batch, inputDim] to [batch, outputDim] float32 without leaks', () => {
    const head = createProjectionHead(projectionHeadPreset('simclr', 32));
    const x = tf.randomNormal([6, 32], 0, 1, 'float32', 1);
    const y = expectNoLeak(() => head.model.apply(x, { training: true }) as tf.Tensor, 1);
    expect(y.shape).toEqual([6, 128]);
    expect(y.dtype).toBe('float32');
    tf.dispose([x, y]);
    head.model.dispose();
  });

  it('rejects bad options with the argument name', () => {
    const cases: [() => unknown, string, string][] = [
      [() => createProjectionHead({ inputDim: 0 }), 'OUT_OF_RANGE', 'inputDim'],
      [() => createProjectionHead({ inputDim: 8, hiddenDims: [4, -1] }), 'INVALID_ARGUMENT', 'hiddenDims'],
      [() => createProjectionHead({ inputDim: 8, outputBatchNorm: 'yes' as 'none' }), 'UNKNOWN_NAME', 'outputBatchNorm'],
      [() => createPredictionHead({ inputDim: 8, initStd: -1 }), 'OUT_OF_RANGE', 'initStd'],
      [() => projectionHeadPreset('mocov2' as 'moco-v2', 8), 'UNKNOWN_NAME', 'name'],
    ];
    for (const [call, code, argument] of cases) {
      try {
        call();
        expect.unreachable();
      } catch (error) {
        expect(isContrastiveError(error, code as 'OUT_OF_RANGE')).toBe(true);
        expect((error as { argument?: string }).argument).toBe(argument);
      }
    }
  });
});
