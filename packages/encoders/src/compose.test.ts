import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { isContrastiveError } from '@contrastive/core';
import { expectClose, expectNoLeak, useBackend } from '@contrastive/test-utils';
import { composeEncoder, countParameters } from './compose';
import { createConvNet } from './conv-net';
import { createBackbone } from './create-backbone';
import { createPredictionHead, createProjectionHead } from './heads';
import { projectionHeadPreset } from './head-presets';
import { createSmallAlexNet } from './small-alexnet';

describe('composeEncoder', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('returns features, projections and predictions, sharing the weights of its parts', async () => {
    const backbone = createConvNet({ inputShape: [28, 28, 1], channels: [8, 16] });
    const projection = createProjectionHead({ inputDim: 16, hiddenDims: [16], outputDim: 8, hiddenBatchNorm: true });
    const prediction = createPredictionHead({ inputDim: 8, hiddenDims: [12], outputDim: 8 });
    const encoder = composeEncoder(backbone, projection, { prediction });
    expect(encoder.model.outputs.map((o) => o.shape)).toEqual([[null, 16], [null, 8], [null, 8]]);
    expect(countParameters(encoder.model).trainable).toBe(
      countParameters(backbone.model).trainable + countParameters(projection.model).trainable + countParameters(prediction.model).trainable,
    );
    const x = tf.randomNormal([4, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const out = expectNoLeak(() => encoder.forward(x, { training: false }), 3);
    expect(out.features.shape).toEqual([4, 16]);
    expect(out.projections.shape).toEqual([4, 8]);
    expect(out.predictions!.shape).toEqual([4, 8]);
    expect(out.features.dtype).toBe('float32');
    // Same weights: the backbone alone gives the same features.
    const direct = backbone.model.predict(x) as tf.Tensor;
    expectClose(await out.features.data(), await direct.data(), { atol: 1e-6, rtol: 1e-6 });
    tf.dispose([x, out, direct]);
    encoder.model.dispose();
  });

  it('train-mode forward passes training down to nested BatchNorms (running statistics move)', async () => {
    const backbone = createConvNet({ inputShape: [8, 8, 3], channels: [4] });
    const encoder = composeEncoder(backbone, createProjectionHead({ inputDim: 4, outputDim: 2, outputBatchNorm: 'affine' }));
    const runningMean = () => backbone.model.getLayer('block1.bn').getWeights()[2]!.data();
    const before = await runningMean();
    const x = tf.randomNormal([4, 8, 8, 3], 1, 1, 'float32', 5) as tf.Tensor4D;
    tf.dispose(encoder.forward(x, { training: false }));
    expectClose(await runningMean(), before, { atol: 0 });
    tf.dispose(encoder.forward(x));
    expect(Array.from(await runningMean()).some((v, i) => v !== before[i])).toBe(true);
    x.dispose();
    encoder.model.dispose();
  });

  it('throws SHAPE_MISMATCH when head sizes do not fit', () => {
    const backbone = createConvNet({ inputShape: [8, 8, 3], channels: [4] });
    const wrong = createProjectionHead({ inputDim: 5 });
    try {
      composeEncoder(backbone, wrong);
      expect.unreachable();
    } catch (error) {
      expect(isContrastiveError(error, 'SHAPE_MISMATCH')).toBe(true);
      expect((error as { argument?: string }).argument).toBe('projection');
    }
    const projection = createProjectionHead({ inputDim: 4, outputDim: 6 });
    const encoder = composeEncoder(backbone, projection);
    const x = tf.zeros([2, 9, 8, 3]) as tf.Tensor4D;
    expect(() => encoder.forward(x)).toThrow(/images/);
    tf.dispose(x);
    encoder.model.dispose();
    wrong.model.dispose();
  });
});

describe('SmallAlexNet and ConvNet', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('SmallAlexNet matches the PyTorch parameter count and produces the 4096-d fc7 feature', () => {
    // torch 1.13: the align_uniform SmallAlexNet blocks up to fc7 (no fc8), 32x32 input (fc6 in 192*3*3):
    // sum(p.numel()) = 26,696,672, BN running buffers = 18,880. At 64x64 (fc6 in 192*7*7): 58,153,952.
    const backbone = createSmallAlexNet();
    expect(countParameters(backbone.model)).toMatchObject({ trainable: 26_696_672, nonTrainable: 18_880 });
    expect(backbone.featureDim).toBe(4096);
    expect(backbone.model.getLayer('conv_block_5.pool').outputShape).toEqual([null, 3, 3, 192]);
    backbone.model.dispose();
  });

  it('SmallAlexNet forward on a reduced width (CPU preset shape)', () => {
    const backbone = createSmallAlexNet({ channels: [8, 8, 8, 8, 8], fcDim: 32, inputShape: [64, 64, 3] });
    expect(backbone.model.getLayer('conv_block_5.pool').outputShape).toEqual([null, 7, 7, 8]);
    const x = tf.randomNormal([2, 64, 64, 3], 0, 1, 'float32', 1);
    const y = expectNoLeak(() => backbone.model.apply(x, { training: true }) as tf.Tensor, 1);
    expect(y.shape).toEqual([2, 32]);
    expect(y.dtype).toBe('float32');
    tf.dispose([x, y]);
    backbone.model.dispose();
  });

  it('ConvNet fits Fashion-MNIST (28x28x1) and CIFAR (32x32x3) inputs', () => {
    for (const [shape, feature] of [[[28, 28, 1], 128], [[32, 32, 3], 128]] as const) {
      const backbone = createConvNet({ inputShape: shape });
      const x = tf.zeros([2, ...shape]);
      const y = expectNoLeak(() => backbone.model.apply(x, { training: true }) as tf.Tensor, 1);
      expect(y.shape).toEqual([2, feature]);
      expect(backbone.featureDim).toBe(feature);
      tf.dispose([x, y]);
      backbone.model.dispose();
    }
  });

  it('createBackbone dispatches by name and rejects unknown names', () => {
    const backbone = createBackbone('conv-net', { inputShape: [16, 16, 3], convChannels: [4, 6] });
    expect(backbone.name).toBe('conv-net');
    expect(backbone.featureDim).toBe(6);
    backbone.model.dispose();
    const resnet = createBackbone('resnet18', { inputShape: [8, 8, 3], width: 4 });
    expect(resnet.featureDim).toBe(32);
    resnet.model.dispose();
    try {
      createBackbone('resnet-18' as 'resnet18');
      expect.unreachable();
    } catch (error) {
      expect(isContrastiveError(error, 'UNKNOWN_NAME')).toBe(true);
      expect((error as Error).message).toContain('resnet18');
    }
  });

  it('builds heads on a composed SmallAlexNet (CACR small scale: fc8 128-d)', () => {
    const backbone = createSmallAlexNet({ channels: [4, 4, 4, 4, 4], fcDim: 16 });
    const encoder = composeEncoder(backbone, createProjectionHead(projectionHeadPreset('cacr', 16)));
    expect(encoder.projectionDim).toBe(128);
    encoder.model.dispose();
  });
});
