/**
 * EqCo / SiMo presets. Every paper value cites spec/losses.md §5 (and §0.4,
 * §0.5, §1(c), §7.3); CPU and smoke presets are overrides of the
 * Fashion-MNIST base, never copies.
 */
import { z } from 'zod';
import { appConfigSchema, longerPreset } from '@contrastive/app-kit';

/**
 * 'simo': SiMo, in-batch momentum keys, no queue (simoLoss).
 * 'moco-eqco': MoCo v2 with a queue of K keys and the EqCo alpha/K rescaling (eqcoLoss).
 */
export const EQCO_VARIANTS = ['simo', 'moco-eqco'] as const;
export type EqcoVariant = (typeof EQCO_VARIANTS)[number];

/** SiMo's K when unset (spec §5(b): 256). */
export const DEFAULT_NUM_NEGATIVES = 256;
/** MoCo-EqCo's queue when unset (MoCo v2's 65536, spec §1(b)). */
export const DEFAULT_QUEUE_SIZE = 65536;

export const eqcoMethodSchema = z
  .object({
  variant: z.enum(EQCO_VARIANTS),
  /** Softmax temperature tau (spec §5(b): 0.2; MoCo v2 §1(b): 0.2). */
  temperature: z.number().positive(),
  /** The equivalent number of negatives alpha (spec §5(a)-(b)). */
  alpha: z.number().positive(),
  /** SiMo only: in-batch negatives per query K, capped at B - 1 (spec §5(b): 256; default 256). */
  numNegatives: z.number().int().positive().optional(),
  /** MoCo-EqCo only: queue size K (spec §5(b): swept 16..65536; default 65536). */
  queueSize: z.number().int().positive().optional(),
  /** EMA momentum of the key encoder (spec §5(b), §1(b): 0.999). */
  momentum: z.number().min(0).max(1).default(0.999),
  /**
   * Emulate shuffle-BN: permute each key batch before the key encoder (its BN
   * split into `model.batchNormGroups` groups) and un-permute the keys (spec §0.4).
   */
  shuffleBn: z.boolean().default(true),
  })
  .superRefine((m, ctx) => {
    // A field the variant does not read is an error, not a silently carried value.
    const unused = (field: string, why: string) => ctx.addIssue({ code: 'custom', path: [field], message: `not used by variant '${m.variant}' (${why}); remove it` });
    if (m.variant === 'simo' && m.queueSize !== undefined) unused('queueSize', 'SiMo has no queue: its negatives are the batch\'s other keys');
    if (m.variant === 'moco-eqco' && m.numNegatives !== undefined) unused('numNegatives', 'MoCo-EqCo\'s negatives are the queue of queueSize keys');
  });

export const eqcoSchema = appConfigSchema(eqcoMethodSchema);
export type EqcoConfig = z.output<typeof eqcoSchema>;
type Preset = z.input<typeof eqcoSchema>;

/** SiMo on ImageNet-1K, the cvpods config (spec §5(b)-(c)). */
export const paperSimoImagenet: Preset = {
  seed: 0,
  data: { dataset: 'imagefolder', imageSize: 256 },
  augment: { preset: 'moco-v2', views: 2 }, // MoCo v2 aug+ (spec §5(c), §0.5)
  // ResNet-50 with zero-init residual BN (config.py:16); 2048-2048(BN)-128(BN) head N(0, 0.01) (spec §5(b));
  // SyncBN over the whole batch (config.py:13, 24) = one BN group on one device
  model: { backbone: 'resnet50', stem: 'imagenet', head: 'simo', batchNormGroups: 1, zeroInitResidual: true },
  optimizer: {
    name: 'sgd', // SGD lr 0.03, momentum 0.9, wd 1e-4 also on norm layers (spec §5(c))
    lr: 0.03,
    lrScaling: 'none',
    momentum: 0.9,
    weightDecay: 1e-4,
    excludeBnAndBias: false,
  },
  schedule: { decay: 'cosine', per: 'iteration', warmupSteps: 10 }, // WarmupCosineLR, WARMUP_ITERS=10, per step (config.py:35-38)
  train: { epochs: 200, batchSize: 256, checkpointEvery: 1 }, // batch 256 (32 x 8 GPUs), 200 epochs (spec §5(c))
  eval: { knnEvery: 10, linearProbe: 'moco', linearProbeEpochs: 90, knnBankPerClass: 100, linearProbeAugmented: true }, // SGD lr 30, m 0.9, wd 0, batch 256, 90 epochs, x0.1 at 60/80 (spec §5(c))
  method: {
    variant: 'simo',
    temperature: 0.2, // spec §5(b)
    alpha: 256, // spec §5(b)
    numNegatives: 256, // K = 256; all 255 in-batch negatives at batch 256 (spec §5(b))
    momentum: 0.999, // spec §5(b)
    shuffleBn: false, // no key shuffle: the key forward is network_k(x_j) (simo.py:146-149)
  },
};

/** MoCo v2 on ImageNet-1K (spec §1(c)) with the EqCo loss: alpha = 65536 and a small queue K (spec §5(a)-(b)). */
export const paperMocoEqcoImagenet: Preset = {
  seed: 0,
  data: { dataset: 'imagefolder', imageSize: 256 },
  augment: { preset: 'moco-v2', views: 2 }, // aug+ (spec §1(c), §0.5)
  model: { backbone: 'resnet50', stem: 'imagenet', head: 'moco-v2', batchNormGroups: 8 }, // ResNet-50, MLP 2048-2048-128 (spec §1(b)); 8 groups for 8-GPU shuffle-BN (spec §0.4)
  optimizer: { name: 'sgd', lr: 0.03, lrScaling: 'none', momentum: 0.9, weightDecay: 1e-4 }, // spec §1(c)
  schedule: { decay: 'cosine', per: 'epoch', warmupEpochs: 0 }, // cosine set once per epoch (spec §1(c))
  train: { epochs: 200, batchSize: 256, checkpointEvery: 1 }, // batch 256, 200 epochs (spec §1(c))
  eval: { knnEvery: 10, linearProbe: 'moco', knnBankPerClass: 100, linearProbeAugmented: true }, // MoCo main_lincls: lr 30, 100 epochs, x0.1 at 60/80 (spec §7.3)
  method: {
    variant: 'moco-eqco',
    temperature: 0.2, // MoCo v2 tau (spec §1(b))
    alpha: 65536, // alpha = 65536 in the MoCo v2 + EqCo sweeps [U] (spec §5(b))
    queueSize: 256, // one K of the 16..65536 sweep [U] (spec §5(b)); alpha = K = 65536 is plain MoCo v2
    momentum: 0.999, // spec §1(b)
    shuffleBn: true, // spec §0.4
  },
};

/** The CPU job: SiMo (in-batch keys) with a ConvNet on the embedded Fashion-MNIST. */
export const cpuFashionMnist: Preset = {
  seed: 0,
  backend: 'auto',
  // Data, crops, pool grid, batch and lr: the CPU recipe searched in apps/simclr/README.md ("Recipe search").
  data: { dataset: 'fashion-mnist', trainLimit: 60_000, evalTrainLimit: 10_000, evalTestLimit: 2_000 },
  augment: { preset: 'fashion-mnist-cpu', views: 2, cropScale: [0.3, 1] },
  model: { backbone: 'conv-net', convChannels: [32, 64, 128], convPoolGrid: 3, head: 'simo', batchNormGroups: 4 },
  optimizer: { name: 'sgd', lr: 0.15, lrScaling: 'linear', momentum: 0.9, weightDecay: 5e-4 }, // 0.15 x 128/256
  schedule: { decay: 'cosine', per: 'iteration', warmupEpochs: 0 },
  train: { epochs: 2, batchSize: 128, checkpointEvery: 1, logEvery: 5 },
  eval: { knnEvery: 1, knnK: 200, knnT: 0.1, linearProbe: 'fast', scatterPoints: 1000 },
  method: { variant: 'simo', temperature: 0.2, alpha: 256, numNegatives: 256, momentum: 0.99, shuffleBn: true },
};

/** cpu-fashion-mnist for 4 epochs: the shortest length measured to beat raw pixels by a clear margin (README). */
export const cpuFashionMnistLong: Preset = longerPreset(cpuFashionMnist, 4);

/** Seconds: SiMo with a tiny ConvNet, for tests. */
export const smoke: Preset = {
  ...cpuFashionMnist,
  data: { dataset: 'fashion-mnist', trainLimit: 256, evalTrainLimit: 200, evalTestLimit: 100 },
  // The tests' settings from before the CPU recipe search (the preset's crops and lr), kept so their calibrated margins hold.
  augment: { preset: 'fashion-mnist-cpu', views: 2 },
  optimizer: { name: 'sgd', lr: 0.06, lrScaling: 'linear', momentum: 0.9, weightDecay: 5e-4 },
  model: { backbone: 'conv-net', convChannels: [8, 16], head: 'simo', batchNormGroups: 2 },
  train: { epochs: 2, batchSize: 32, maxStepsPerEpoch: 3, checkpointEvery: 1, logEvery: 1 },
  eval: { knnEvery: 1, knnK: 20, knnT: 0.1, linearProbe: 'fast', linearProbeEpochs: 2, scatterPoints: 50 },
  method: { ...cpuFashionMnist.method, numNegatives: 16 },
};

/** Seconds: MoCo v2 + EqCo with a 64-key queue, for tests. */
export const smokeMocoEqco: Preset = {
  ...smoke,
  model: { backbone: 'conv-net', convChannels: [8, 16], head: 'moco-v2', batchNormGroups: 2 },
  method: { variant: 'moco-eqco', temperature: 0.2, alpha: 4096, queueSize: 64, momentum: 0.99, shuffleBn: true }, // no numNegatives: the queue is the negatives
};

export const EQCO_PRESETS = {
  'paper-simo-imagenet': paperSimoImagenet,
  'paper-moco-eqco-imagenet': paperMocoEqcoImagenet,
  'cpu-fashion-mnist': cpuFashionMnist,
  'cpu-fashion-mnist-long': cpuFashionMnistLong,
  smoke,
  'smoke-moco-eqco': smokeMocoEqco,
} as const;

export const EQCO_PRESET_DESCRIPTIONS: Record<keyof typeof EQCO_PRESETS, string> = {
  'paper-simo-imagenet': 'SiMo: ResNet-50 zero-init residual, one BN group, no key shuffle, batch 256, K 256, alpha 256, tau 0.2, m 0.999, SGD 0.03, 10 warm-up steps, 200 epochs (GPU; ImageNet folder)',
  'paper-moco-eqco-imagenet': 'MoCo v2 + EqCo: ResNet-50, queue K 256, alpha 65536, tau 0.2, m 0.999, SGD 0.03 cosine, 200 epochs (GPU; ImageNet folder)',
  'cpu-fashion-mnist': 'SiMo with a ConvNet (3x3 pool grid) on embedded Fashion-MNIST, 2 epochs of 60k images, batch 128, crops 0.3-1',
  'cpu-fashion-mnist-long': 'the cpu-fashion-mnist recipe for 4 epochs, the shortest measured to beat raw pixels by a clear margin (README)',
  smoke: 'seconds; SiMo; used by tests',
  'smoke-moco-eqco': 'seconds; MoCo v2 + EqCo with a queue; used by tests',
};
