/**
 * Paper presets against the official code: SiMo's cvpods example in the EqCo
 * authors' poodarchu/SelfSup @ ce09b1fc6a07a3a0232c205be7e10c8ea4c2d5fd,
 * examples/simo/simo.res50.scratch.imagenet.224size.256bs.200e/ (config.py,
 * simo.py). megvii-research/EqCo itself could not be fetched.
 */
import { describe, expect, it } from 'vitest';
import { buildSchedule } from '@contrastive/app-kit';
import { resolveConfig } from '@contrastive/train';
import { eqcoSchema, EQCO_PRESETS, type EqcoConfig } from './index';

const config = (name: keyof typeof EQCO_PRESETS) => resolveConfig(eqcoSchema, EQCO_PRESETS[name]) as EqcoConfig;
const at = (c: unknown, path: string) => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], c);

describe('eqco paper-simo-imagenet = the SiMo cvpods config', () => {
  it.each([
    ['model.batchNormGroups', 1, 'config.py:13 RESNETS.NORM="SyncBN", config.py:24 CLR.NORM="SyncBN": BN over the whole 256-image batch'],
    ['method.shuffleBn', false, 'simo.py:146-149 keys are network_k(x_j) with no batch shuffle'],
    ['model.zeroInitResidual', true, 'config.py:16 ZERO_INIT_RESIDUAL=True'],
    ['schedule.warmupSteps', 10, 'config.py:35-38 WarmupCosineLR, WARMUP_ITERS=10, EPOCH_WISE=False'],
    ['schedule.decay', 'cosine', 'config.py:35 WarmupCosineLR'],
    ['schedule.per', 'iteration', 'config.py:38 EPOCH_WISE=False'],
    ['train.epochs', 200, 'config.py:36 MAX_EPOCH=200'],
    ['train.batchSize', 256, 'config.py:53 IMS_PER_BATCH=256'],
    ['optimizer.lr', 0.03, 'config.py:47 BASE_LR=0.03'],
    ['optimizer.momentum', 0.9, 'config.py:48 MOMENTUM=0.9'],
    ['optimizer.weightDecay', 1e-4, 'config.py:49 WEIGHT_DECAY=1e-4'],
    ['optimizer.excludeBnAndBias', false, 'config.py:50 WEIGHT_DECAY_NORM=1e-4 (norm layers decayed too)'],
    ['method.alpha', 256, 'config.py:19 ALPHA=256'],
    ['method.numNegatives', 256, 'config.py:20 K=256'],
    ['method.temperature', 0.2, 'config.py:22 TAU=0.2'],
    ['method.momentum', 0.999, 'config.py:25 MOMENTUM=0.999'],
    ['model.head', 'simo', 'config.py:23-24 MLP=True with SyncBN (simo.py:67-87)'],
    ['augment.preset', 'moco-v2', 'config.py:58-70 RandomResizedCrop(224, (0.2, 1)), jitter 0.8, blur 0.5, gray 0.2, flip'],
  ] as [string, unknown, string][])('%s = %s (%s)', (path, value) => {
    expect(at(config('paper-simo-imagenet'), path)).toBe(value);
  });

  it('warms up linearly over exactly 10 steps whatever the steps per epoch', () => {
    const c = config('paper-simo-imagenet');
    const schedule = buildSchedule(c.schedule, c.optimizer, { batchSize: 256, epochs: 200, stepsPerEpoch: 5004 });
    expect(schedule(5)).toBeCloseTo(0.03 * 0.5, 12);
    expect(schedule(10)).toBeCloseTo(0.03, 8);
  });

  it('the paper-moco-eqco-imagenet preset keeps MoCo v2 shuffle-BN over 8 groups (moco main_moco.py / builder.py)', () => {
    const c = config('paper-moco-eqco-imagenet');
    expect([c.model.batchNormGroups, c.method.shuffleBn]).toEqual([8, true]);
  });
});

describe('eqco method fields a variant does not use', () => {
  it('rejects queueSize on SiMo and numNegatives on MoCo-EqCo, naming the field', () => {
    const issues = (preset: unknown) => {
      try {
        resolveConfig(eqcoSchema, preset);
        return [];
      } catch (error) {
        return (error as { issues: { path: string; message: string }[] }).issues;
      }
    };
    const simo = issues({ ...EQCO_PRESETS.smoke, method: { ...EQCO_PRESETS.smoke.method, queueSize: 4096 } });
    expect(simo.map((i) => i.path)).toEqual(['method.queueSize']);
    expect(simo[0]!.message).toContain("not used by variant 'simo'");
    const moco = issues({ ...EQCO_PRESETS['smoke-moco-eqco'], method: { ...EQCO_PRESETS['smoke-moco-eqco'].method, numNegatives: 16 } });
    expect(moco.map((i) => i.path)).toEqual(['method.numNegatives']);
    for (const preset of Object.values(EQCO_PRESETS)) expect(issues(preset)).toEqual([]);
  });
});
