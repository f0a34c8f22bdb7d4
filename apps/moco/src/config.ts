/**
 * MoCo presets. Every paper value cites spec/losses.md; `paper-imagenet-v1`
 * overrides the MoCo v2 preset, and the CPU and smoke presets override one
 * Fashion-MNIST base, never copies.
 */
import { z } from 'zod';
import { appConfigSchema, longerPreset } from '@contrastive/app-kit';

/** The momentum machinery shared by MoCo, PCL and PAUC (spec §0.4). */
export const momentumMethodFields = {
  /** InfoNCE temperature tau (MoCo v1 0.07, v2 0.2, CIFAR demo 0.1; spec §1(b)). */
  temperature: z.number().positive(),
  /** Queue size K (spec §1(b)). */
  queueSize: z.number().int().positive(),
  /** EMA momentum m of the key encoder (spec §0.4, §1(b)). */
  momentum: z.number().min(0).max(1),
  /**
   * Shuffle the key batch before the key encoder and unshuffle the keys
   * (single-device shuffle-BN of the MoCo CIFAR demo, spec §0.4). Only
   * changes anything together with `model.batchNormGroups` > 1.
   */
  shuffleKeys: z.boolean().default(true),
};

export const mocoMethodSchema = z.object(momentumMethodFields);

export const mocoSchema = appConfigSchema(mocoMethodSchema);
export type MocoConfig = z.output<typeof mocoSchema>;
type Preset = z.input<typeof mocoSchema>;

/** MoCo v2 on ImageNet-1K, ResNet-50, 200 epochs (spec §1(b)-(c) "MoCo v2, ImageNet"). */
export const paperImagenet: Preset = {
  seed: 0,
  data: { dataset: 'imagefolder', imageSize: 256 }, // ImageNet train/ and val/ folders (spec §1(c))
  augment: { preset: 'moco-v2', views: 2 }, // aug+ (spec §0.5 "ImageNet, MoCo v2 aug+")
  // ResNet-50, MLP head 2048-2048-128 (spec §1(b)); 8 BN groups of 32 = MoCo's 8 GPUs x 32 images, shuffle-BN (spec §0.4)
  model: { backbone: 'resnet50', stem: 'imagenet', head: 'moco-v2', batchNormGroups: 8 },
  optimizer: {
    name: 'sgd', // SGD (spec §1(c) MoCo v1, kept by v2)
    lr: 0.03, // 0.03 per 256 images (spec §1(c))
    lrScaling: 'linear',
    momentum: 0.9, // spec §1(c)
    weightDecay: 1e-4, // spec §1(c)
  },
  schedule: { decay: 'cosine', per: 'epoch', warmupEpochs: 0 }, // lr_e = lr 0.5 (1 + cos(pi e / E)), set once per epoch (spec §1(c))
  train: { epochs: 200, batchSize: 256, checkpointEvery: 1 }, // batch 256, 200 epochs (spec §1(c))
  eval: { knnEvery: 10, linearProbe: 'moco', knnBankPerClass: 100, linearProbeAugmented: true }, // MoCo main_lincls: lr 30, 100 epochs (spec §7.3)
  method: {
    temperature: 0.2, // MoCo v2 tau (spec §1(b))
    queueSize: 65_536, // K (spec §1(b))
    momentum: 0.999, // m (spec §1(b))
    shuffleKeys: true, // shuffle-BN (spec §0.4, §1(e))
  },
};

/** MoCo v1 on ImageNet-1K: linear head, tau 0.07, "aug", lr x0.1 at 120 and 160 (spec §1(b)-(c) "MoCo v1, ImageNet"). */
export const paperImagenetV1: Preset = {
  ...paperImagenet,
  augment: { preset: 'moco-v1', views: 2 }, // "aug" (spec §0.5)
  model: { ...paperImagenet.model, head: 'linear' }, // linear fc 2048 -> 128 (spec §1(b))
  schedule: { decay: 'multi-step', per: 'epoch', milestones: [120, 160], gamma: 0.1, warmupEpochs: 0 }, // spec §1(c)
  method: { ...paperImagenet.method, temperature: 0.07 }, // MoCo v1 tau (spec §1(b))
};

/** The MoCo CIFAR-10 demo (colab branch): ResNet-18, SplitBN 8, K 4096, m 0.99, tau 0.1 (spec §1(c)). */
export const paperCifar10Demo: Preset = {
  seed: 0,
  data: { dataset: 'cifar10' },
  augment: { preset: 'simclr-cifar', views: 2 }, // spec §0.5 "CIFAR, SimCLR-style" (MoCo CIFAR demo)
  // ResNet-18, CIFAR stem, linear fc 512 -> 128, SplitBatchNorm with 8 splits (spec §1(c))
  model: { backbone: 'resnet18', stem: 'cifar', head: 'linear', batchNormGroups: 8 },
  optimizer: { name: 'sgd', lr: 0.06, lrScaling: 'none', momentum: 0.9, weightDecay: 5e-4 }, // lr 0.06 = 0.03 per 256 at batch 512, wd 5e-4 (spec §1(c))
  schedule: { decay: 'cosine', per: 'epoch', warmupEpochs: 0 }, // cosine (spec §1(c)); the demo sets it once per epoch
  train: { epochs: 200, batchSize: 512, checkpointEvery: 10 }, // batch 512, 200 epochs (spec §1(c))
  // kNN k=200, t=0.1 (spec §1(c), §7.2) on the normalised 128-d output of encoder_q, as the demo's test(model.encoder_q, ...)
  eval: { knnEvery: 10, knnK: 200, knnT: 0.1, knnFeatures: 'projection', linearProbe: 'moco-cifar' },
  method: { temperature: 0.1, queueSize: 4096, momentum: 0.99, shuffleKeys: true }, // spec §1(b)-(c)
};

/**
 * MoCo v2 recipe on a small ConvNet and the embedded Fashion-MNIST, for a CPU
 * (wasm). Data, crops, pool grid, batch and lr are the CPU recipe of the
 * search in apps/simclr/README.md ("Recipe search"); the method values are
 * MoCo v2's. See the README for measured runs.
 */
export const cpuFashionMnist: Preset = {
  seed: 0,
  backend: 'auto',
  data: { dataset: 'fashion-mnist', trainLimit: 60_000, evalTrainLimit: 10_000, evalTestLimit: 2_000 },
  augment: { preset: 'fashion-mnist-cpu', views: 2, cropScale: [0.3, 1] },
  model: { backbone: 'conv-net', convChannels: [32, 64, 128], convPoolGrid: 3, head: 'moco-v2', batchNormGroups: 4 },
  optimizer: { name: 'sgd', lr: 0.15, lrScaling: 'linear', momentum: 0.9, weightDecay: 5e-4 }, // 0.15 x 128/256
  schedule: { decay: 'cosine', per: 'iteration', warmupEpochs: 0 },
  train: { epochs: 2, batchSize: 128, checkpointEvery: 1, logEvery: 5 },
  eval: { knnEvery: 1, knnK: 200, knnT: 0.1, linearProbe: 'fast', scatterPoints: 1000 },
  method: { temperature: 0.2, queueSize: 4096, momentum: 0.99, shuffleKeys: true },
};

/** cpu-fashion-mnist for 6 epochs: the shortest length measured to beat raw pixels by a clear margin (README). */
export const cpuFashionMnistLong: Preset = longerPreset(cpuFashionMnist, 6);

/** Seconds: a few steps of a tiny ConvNet with a queue that wraps around, for tests. */
export const smoke: Preset = {
  ...cpuFashionMnist,
  data: { dataset: 'fashion-mnist', trainLimit: 256, evalTrainLimit: 200, evalTestLimit: 100 },
  // The tests' settings from before the CPU recipe search (the preset's crops and lr), kept so their calibrated margins hold.
  augment: { preset: 'fashion-mnist-cpu', views: 2 },
  optimizer: { name: 'sgd', lr: 0.06, lrScaling: 'linear', momentum: 0.9, weightDecay: 5e-4 },
  model: { backbone: 'conv-net', convChannels: [8, 16], head: 'moco-v2', batchNormGroups: 2 },
  train: { epochs: 2, batchSize: 32, maxStepsPerEpoch: 3, checkpointEvery: 1, logEvery: 1 },
  eval: { knnEvery: 1, knnK: 20, knnT: 0.1, linearProbe: 'fast', linearProbeEpochs: 2, scatterPoints: 50 },
  method: { ...cpuFashionMnist.method, queueSize: 64 },
};

export const MOCO_PRESETS = {
  'paper-imagenet': paperImagenet,
  'paper-imagenet-v1': paperImagenetV1,
  'paper-cifar10-demo': paperCifar10Demo,
  'cpu-fashion-mnist': cpuFashionMnist,
  'cpu-fashion-mnist-long': cpuFashionMnistLong,
  smoke,
} as const;

export const MOCO_PRESET_DESCRIPTIONS: Record<keyof typeof MOCO_PRESETS, string> = {
  'paper-imagenet': 'MoCo v2: ResNet-50, MLP head, aug+, tau 0.2, K 65536, m 0.999, SGD 0.03/256, cosine, 200 epochs (GPU; ImageNet folder)',
  'paper-imagenet-v1': 'MoCo v1: as paper-imagenet with linear head, aug, tau 0.07, lr x0.1 at 120/160 (GPU; ImageNet folder)',
  'paper-cifar10-demo': 'MoCo CIFAR-10 demo: ResNet-18 SplitBN 8, K 4096, m 0.99, tau 0.1, batch 512, 200 epochs (GPU; CIFAR-10 binary)',
  'cpu-fashion-mnist': 'ConvNet (3x3 pool grid) on embedded Fashion-MNIST, K 4096, 2 epochs of 60k images, batch 128, crops 0.3-1',
  'cpu-fashion-mnist-long': 'the cpu-fashion-mnist recipe for 6 epochs, the shortest measured to beat raw pixels by a clear margin (README)',
  smoke: 'seconds; used by tests',
};
