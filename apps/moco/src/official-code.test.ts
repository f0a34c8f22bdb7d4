/**
 * Paper presets against the official code: the MoCo CIFAR-10 demo,
 * facebookresearch/moco branch colab-notebook @ f7364915bc4e9161427d7c6bb4f454fa0f171337,
 * colab/moco_cifar10_demo.ipynb (line numbers of the notebook's JSON file).
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '@contrastive/train';
import { mocoSchema, MOCO_PRESETS, type MocoConfig } from './index';

const config = (name: keyof typeof MOCO_PRESETS) => resolveConfig(mocoSchema, MOCO_PRESETS[name]) as MocoConfig;
const at = (c: unknown, path: string) => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], c);

describe('moco paper-cifar10-demo = the colab demo', () => {
  it.each([
    ['eval.knnFeatures', 'projection', 'ipynb:1394 test(model.encoder_q, ...); ipynb:695-696 F.normalize(net(data)) = the 128-d fc output (ipynb:343, 359)'],
    ['eval.knnK', 200, 'ipynb:143 knn_k=200'],
    ['eval.knnT', 0.1, 'ipynb:143 knn_t=0.1'],
    ['model.batchNormGroups', 8, 'ipynb:143 bn_splits=8'],
    ['model.head', 'linear', 'ipynb:343 resnet_arch(num_classes=feature_dim): fc 512 -> 128'],
    ['model.stem', 'cifar', 'ipynb:346-350 conv1 3x3 stride 1, max-pool removed'],
    ['method.queueSize', 4096, 'ipynb:143 moco_k=4096'],
    ['method.momentum', 0.99, 'ipynb:143 moco_m=0.99'],
    ['method.temperature', 0.1, 'ipynb:143 moco_t=0.1'],
    ['optimizer.lr', 0.06, 'ipynb:153 --lr default 0.06'],
    ['optimizer.weightDecay', 5e-4, 'ipynb:159 --wd default 5e-4'],
    ['optimizer.momentum', 0.9, 'ipynb:1371 SGD(..., momentum=0.9)'],
    ['schedule.decay', 'cosine', 'ipynb:186 args.cos = True'],
    ['schedule.per', 'epoch', 'ipynb:667-673 lr set once per epoch'],
    ['train.epochs', 200, 'ipynb:185 args.epochs = 200'],
    ['train.batchSize', 512, 'ipynb:143 batch_size=512'],
  ] as [string, unknown, string][])('%s = %s (%s)', (path, value) => {
    expect(at(config('paper-cifar10-demo'), path)).toBe(value);
  });

  it('every other preset monitors backbone features', () => {
    for (const name of ['paper-imagenet', 'paper-imagenet-v1', 'cpu-fashion-mnist', 'smoke'] as const) expect(config(name).eval.knnFeatures).toBe('backbone');
  });
});
