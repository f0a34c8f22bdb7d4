import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isContrastiveError } from '@contrastive/core';
import { expectClose, expectNoLeak, useBackend } from '@contrastive/test-utils';
import { countParameters } from './compose';
import { createResNet } from './resnet';
import type { Backbone } from './backbone';
import { createProjectionHead } from './heads';

/**
 * PyTorch counts, obtained once with torch 1.13 / torchvision 0.14 (/usr/bin/python3):
 *   m = torchvision.models.resnet{18,34,50}(num_classes=10)
 *   cifar stem: m.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False); m.maxpool = nn.Identity()
 *   fc = sum(p.numel() for p in m.fc.parameters()); m.fc = nn.Identity()
 *   params = sum(p.numel() for p in m.parameters())                      -> "trainable"
 *   buffers = sum(b.numel() for n, b in m.named_buffers() if 'num_batches' not in n) -> "running"
 * "withFc10" = params + fc: the 11.17M usually quoted for the CIFAR ResNet-18 is 11,173,962.
 */
const TORCHVISION = {
  '18-cifar': { trainable: 11_168_832, running: 9_600, withFc10: 11_173_962 },
  '18-imagenet': { trainable: 11_176_512, running: 9_600, withFc10: 11_181_642 },
  '34-cifar': { trainable: 21_276_992, running: 17_024, withFc10: 21_282_122 },
  '50-imagenet': { trainable: 23_508_032, running: 53_120, withFc10: 23_528_522 },
} as const;
// Also from torchvision, not built here to keep the suite fast (ResNet construction
// initialises every weight): 34-imagenet 21,284,672; 50-cifar 23,500,352.

describe('createResNet: parameter counts match torchvision', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });
  for (const [key, expected] of Object.entries(TORCHVISION)) {
    const [depth, stem] = key.split('-') as [string, 'cifar' | 'imagenet'];
    it(`ResNet-${depth} ${stem} stem`, () => {
      const backbone = createResNet({ depth: Number(depth) as 18 | 34 | 50, stem });
      const counts = countParameters(backbone.model);
      expect(counts.trainable).toBe(expected.trainable);
      expect(counts.nonTrainable).toBe(expected.running);
      expect(backbone.featureDim).toBe(depth === '50' ? 2048 : 512);
      // A 10-class linear classifier on top gives torchvision's full model count.
      const fc = createProjectionHead({ inputDim: backbone.featureDim, outputDim: 10, bias: true });
      expect(counts.trainable + countParameters(fc.model).trainable).toBe(expected.withFc10);
      backbone.model.dispose();
      fc.model.dispose();
    });
  }
});

describe('createResNet: layout and initialisation', () => {
  let resnet18: Backbone;
  beforeAll(async () => {
    await useBackend('cpu');
    resnet18 = createResNet({ depth: 18, stem: 'cifar', seed: 7 });
  });
  afterAll(() => resnet18.model.dispose());

  it('uses torchvision layer names and a 3x3 stride-1 CIFAR stem without max-pool', () => {
    const names = resnet18.model.layers.map((l) => l.name);
    expect(names).toContain('layer2.0.downsample.0');
    expect(names).toContain('layer4.1.bn2');
    expect(names).not.toContain('maxpool');
    const conv1 = resnet18.model.getLayer('conv1');
    expect(conv1.getWeights()[0]!.shape).toEqual([3, 3, 3, 64]);
    expect(resnet18.model.getLayer('layer1.1.add').outputShape).toEqual([null, 32, 32, 64]);
    expect(resnet18.model.getLayer('layer4.1.add').outputShape).toEqual([null, 4, 4, 512]);
  });

  it('uses the ImageNet stem: 7x7 stride-2 conv and a 3x3 stride-2 max-pool', () => {
    const backbone = createResNet({ depth: 18, stem: 'imagenet', inputShape: [64, 64, 3] });
    expect(backbone.model.getLayer('conv1').getWeights()[0]!.shape).toEqual([7, 7, 3, 64]);
    expect(backbone.model.getLayer('maxpool').outputShape).toEqual([null, 16, 16, 64]);
    expect(backbone.model.getLayer('layer4.1.add').outputShape).toEqual([null, 2, 2, 512]);
    backbone.model.dispose();
  });

  it('initialises convs with kaiming normal (fan_out) and BN with gamma 1, beta 0', async () => {
    // layer3.0.conv1 maps 128 to 256 channels (fan_in 128 x 9, fan_out 256 x 9): only fan_out gives its std.
    // layer3.0.downsample.conv is 1x1, 128 to 256 (fan_out 256).
    for (const [name, fanOut, fanIn] of [
      ['layer3.0.conv1', 256 * 9, 128 * 9],
      ['layer3.0.conv2', 256 * 9, 256 * 9],
      ['layer3.0.downsample.0', 256, 128],
    ] as const) {
      const kernel = resnet18.model.getLayer(name).getWeights()[0]!;
      const v = Float32Array.from(await kernel.data());
      const mean = v.reduce((s, x) => s + x, 0) / v.length;
      const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
      expect(Math.abs(mean)).toBeLessThan(1e-3);
      expect(std / Math.sqrt(2 / fanOut), name).toBeCloseTo(1, 1);
      if (fanIn !== fanOut) expect(Math.abs(std / Math.sqrt(2 / fanIn) - 1), name).toBeGreaterThan(0.2);
    }
    const [gamma, beta] = resnet18.model.getLayer('layer3.0.bn2').getWeights();
    expectClose(await gamma!.data(), new Float32Array(256).fill(1), { atol: 0 });
    expectClose(await beta!.data(), new Float32Array(256), { atol: 0 });
  });

  it('is reproducible from its seed', async () => {
    const again = createResNet({ depth: 18, stem: 'cifar', seed: 7 });
    const other = createResNet({ depth: 18, stem: 'cifar', seed: 8 });
    const a = await resnet18.model.getLayer('layer1.0.conv1').getWeights()[0]!.data();
    expectClose(await again.model.getLayer('layer1.0.conv1').getWeights()[0]!.data(), a, { atol: 0, rtol: 0 });
    expect((await other.model.getLayer('layer1.0.conv1').getWeights()[0]!.data())[0]).not.toBe(a[0]);
    again.model.dispose();
    other.model.dispose();
  });

  it('zeroInitResidual starts the last BN of every block at gamma 0 (BasicBlock bn2, Bottleneck bn3)', async () => {
    const basic = createResNet({ depth: 18, zeroInitResidual: true, inputShape: [8, 8, 3] });
    const bottleneck = createResNet({ depth: 50, zeroInitResidual: true, width: 8, inputShape: [8, 8, 3] });
    expect(Array.from(await basic.model.getLayer('layer2.1.bn2').getWeights()[0]!.data()).every((g) => g === 0)).toBe(true);
    expect(Array.from(await basic.model.getLayer('layer2.1.bn1').getWeights()[0]!.data()).every((g) => g === 1)).toBe(true);
    expect(Array.from(await bottleneck.model.getLayer('layer3.2.bn3').getWeights()[0]!.data()).every((g) => g === 0)).toBe(true);
    // Bottleneck v1.5: the stride sits on the 3x3 conv, the 1x1 convs keep the resolution.
    expect(bottleneck.model.getLayer('layer2.0.conv1').outputShape).toEqual([null, 8, 8, 16]);
    expect(bottleneck.model.getLayer('layer2.0.conv2').outputShape).toEqual([null, 4, 4, 16]);
    expect(bottleneck.featureDim).toBe(256);
    basic.model.dispose();
    bottleneck.model.dispose();
  });

  it('rejects bad options with the argument name', () => {
    const cases: [() => unknown, string, string][] = [
      [() => createResNet({ depth: 20 as 18 }), 'OUT_OF_RANGE', 'depth'],
      [() => createResNet({ stem: 'cifar10' as 'cifar' }), 'UNKNOWN_NAME', 'stem'],
      [() => createResNet({ inputShape: [32, 32] as unknown as [number, number, number] }), 'INVALID_ARGUMENT', 'inputShape'],
      [() => createResNet({ width: 0 }), 'OUT_OF_RANGE', 'width'],
      [() => createResNet({ batchNormGroups: 0 }), 'OUT_OF_RANGE', 'batchNormGroups'],
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

  it('frees every weight on dispose', () => {
    const before = tf.memory().numTensors;
    const backbone = createResNet({ depth: 18, inputShape: [8, 8, 3] });
    expect(tf.memory().numTensors - before).toBe(backbone.model.weights.length);
    backbone.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

/** Conv2DBackpropFilter comes from @contrastive/backend; until it is registered, backward runs on cpu. */
const wasmCanTrain = async (): Promise<boolean> => {
  await useBackend('wasm');
  return tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined;
};

describe('ResNet-18 forward and backward', () => {
  it('forward on wasm: [4, 32, 32, 3] -> [4, 512] float32, finite, train and eval modes', async () => {
    await useBackend('wasm');
    const backbone = createResNet({ depth: 18, stem: 'cifar', seed: 1 });
    const x = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const train = expectNoLeak(() => backbone.model.apply(x, { training: true }) as tf.Tensor, 1);
    const evalOut = expectNoLeak(() => backbone.model.predict(x) as tf.Tensor, 1);
    expect(train.shape).toEqual([4, 512]);
    expect(train.dtype).toBe('float32');
    expect(evalOut.shape).toEqual([4, 512]);
    const values = await train.data();
    expect(values.every(Number.isFinite)).toBe(true);
    // Post-ReLU average pooling: non-negative features.
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    tf.dispose([x, train, evalOut]);
    backbone.model.dispose();
  });

  it('backward: every parameter gets a finite gradient that matches a directional finite difference', async () => {
    const onWasm = await wasmCanTrain();
    if (!onWasm) await useBackend('cpu');
    const backbone = createResNet({ depth: 18, stem: 'cifar', seed: 3 });
    // 16x16 keeps 2x2 positions in layer4, so train-mode BN is not degenerate at batch 4.
    const x = tf.randomNormal([4, 16, 16, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const vars = backbone.model.trainableWeights.map((w) => w.read() as tf.Variable);
    expect(vars).toHaveLength(60); // 20 convs + 20 BN (gamma, beta)
    const loss = (): tf.Scalar => tf.mean(tf.square(backbone.model.apply(x, { training: true }) as tf.Tensor));
    const { value, grads } = expectNoLeak(() => tf.variableGrads(loss, vars), 1 + vars.length);
    let nonZero = 0;
    let squaredNorm = 0;
    for (const v of vars) {
      const g = grads[v.name]!;
      expect(g.shape).toEqual(v.shape);
      const data = Float32Array.from(await g.data());
      expect(data.every(Number.isFinite)).toBe(true);
      if (data.some((d) => d !== 0)) nonZero++;
      squaredNorm += data.reduce((s, d) => s + d * d, 0);
    }
    expect(nonZero).toBe(vars.length);
    // d/de L(w + e g) at e = 0 equals |g|^2; central difference with e = 1e-3.
    const original = vars.map((v) => tf.clone(v));
    const lossAt = async (e: number): Promise<number> => {
      vars.forEach((v, i) => v.assign(tf.tidy(() => tf.add(original[i]!, tf.mul(grads[v.name]!, e)))));
      const l = tf.tidy(loss);
      const out = (await l.data())[0]!;
      l.dispose();
      return out;
    };
    const eps = 1e-3;
    const directional = ((await lossAt(eps)) - (await lossAt(-eps))) / (2 * eps);
    expect(directional / squaredNorm).toBeGreaterThan(0.9);
    expect(directional / squaredNorm).toBeLessThan(1.1);
    tf.dispose([x, value, grads, original]);
    backbone.model.dispose();
  });
});
