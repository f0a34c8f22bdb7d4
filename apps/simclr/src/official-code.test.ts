/**
 * Paper presets against the official code: every row names the file and line
 * of google-research/simclr @ 383d4143fd8cf7879ae10f1046a9baeb753ff438 that
 * sets the value (root run.py, the code the README's commands run).
 */
import { describe, expect, it } from 'vitest';
import { scaledLearningRate } from '@contrastive/app-kit';
import { resolveConfig } from '@contrastive/train';
import { simclrSchema, SIMCLR_PRESETS, type SimclrConfig } from './index';

const config = (name: keyof typeof SIMCLR_PRESETS) => resolveConfig(simclrSchema, SIMCLR_PRESETS[name]) as SimclrConfig;
const at = (c: unknown, path: string) => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], c);

describe('simclr paper-cifar10 = the README command on root run.py', () => {
  it.each([
    ['train.batchSize', 512, 'README.md:79 --train_batch_size=512'],
    ['train.epochs', 1000, 'README.md:79 --train_epochs=1000'],
    ['optimizer.lr', 1.0, 'README.md:81 --learning_rate=1.0'],
    ['optimizer.lrScaling', 'linear', "run.py:43-47 'learning_rate' is per 256 images; 'learning_rate_scaling' default 'linear'"],
    ['optimizer.weightDecay', 1e-4, 'README.md:81 --weight_decay=1e-4'],
    ['optimizer.name', 'lars', "run.py:171 'optimizer' default 'lars'"],
    ['optimizer.momentum', 0.9, "run.py:175 'momentum' default 0.9"],
    ['optimizer.excludeBnAndBias', true, "model_util.py:99 exclude_from_weight_decay=['batch_normalization', 'bias', ...]"],
    ['schedule.warmupEpochs', 10, "run.py:51 'warmup_epochs' default 10"],
    ['schedule.decay', 'cosine', 'model_util.py:76-81 cosine_decay after warm-up'],
    ['method.temperature', 0.5, 'README.md:81 --temperature=0.5'],
    ['model.backbone', 'resnet18', 'README.md:82 --resnet_depth=18'],
    ['model.head', 'simclr-v2', "run.py:207 'num_proj_layers' default 3 (model_util.py:155-166: two hidden layers, then 128)"],
    ['eval.linearProbe', 'simclr-cifar', 'README.md:116-122 linear eval: --optimizer=momentum --learning_rate=0.1 --train_epochs=100 --train_batch_size=512'],
  ] as [string, unknown, string][])('%s = %s (%s)', (path, value) => {
    expect(at(config('paper-cifar10'), path)).toBe(value);
  });

  it('trains at lr 2.0: 1.0 per 256 images, linearly scaled to batch 512 (model_util.py:65)', () => {
    const c = config('paper-cifar10');
    expect(scaledLearningRate(c.optimizer, c.train.batchSize)).toBe(2.0);
  });
});
