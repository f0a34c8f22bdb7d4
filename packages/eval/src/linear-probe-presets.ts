/**
 * Linear-probe protocols of spec §7.3 as presets. Each field cites its
 * source; image augmentation (RandomResizedCrop + flip) cannot apply to
 * precomputed frozen features, so every preset trains on fixed features.
 */

export type LinearProbeOptimizer = 'sgd' | 'adam';
export type LinearProbeSchedule =
  | { type: 'constant' }
  | { type: 'step'; milestones: readonly number[]; gamma: number }
  | { type: 'cosine' };

/** Hyper-parameters of a linear probe. */
export interface LinearProbeConfig {
  optimizer: LinearProbeOptimizer;
  learningRate: number;
  /** SGD momentum. */
  momentum: number;
  nesterov: boolean;
  /** L2 penalty added to the gradient of weight and bias (PyTorch weight_decay). */
  weightDecay: number;
  /** Adam betas. */
  betas: readonly [number, number];
  batchSize: number;
  epochs: number;
  schedule: LinearProbeSchedule;
  /** Standard deviation of the N(0, std) weight init; the bias starts at 0. */
  initStd: number;
}

export type LinearProbePreset =
  | 'fast'
  | 'moco'
  | 'pcl'
  | 'simclr'
  | 'lightly'
  | 'align-uniform'
  | 'leftthomas'
  | 'moco-cifar'
  | 'simclr-cifar';

const BASE: LinearProbeConfig = {
  optimizer: 'sgd',
  learningRate: 30,
  momentum: 0.9,
  nesterov: false,
  weightDecay: 0,
  betas: [0.9, 0.999] as const,
  batchSize: 256,
  epochs: 100,
  schedule: { type: 'step', milestones: [60, 80], gamma: 0.1 } as LinearProbeSchedule,
  // fc initialised N(0, 0.01), zero bias (MoCo / PCL main_lincls, spec §7.3 pitfalls).
  initStd: 0.01,
};

export const LINEAR_PROBE_PRESETS: Readonly<Record<LinearProbePreset, Readonly<LinearProbeConfig>>> = Object.freeze({
  /** Our CPU default for small features: Adam 1e-2, 30 epochs, cosine. Not from a paper. */
  fast: { ...BASE, optimizer: 'adam', learningRate: 1e-2, epochs: 30, schedule: { type: 'cosine' } },
  /** MoCo ImageNet (main_lincls.py): SGD lr 30, m 0.9, wd 0, batch 256, 100 epochs, x0.1 at 60/80. */
  moco: { ...BASE },
  /** PCL (eval_cls_imagenet.py / README): as MoCo with lr 5. */
  pcl: { ...BASE, learningRate: 5 },
  /**
   * SimCLR: Nesterov SGD, lr 0.1 x 4096/256 = 1.6, batch 4096, 90 epochs, wd 0
   * (spec §7.3 [M/V README]); the schedule is not in the spec: cosine assumed.
   */
  simclr: {
    ...BASE,
    learningRate: 1.6,
    nesterov: true,
    batchSize: 4096,
    epochs: 90,
    schedule: { type: 'cosine' },
  },
  /** lightly (DySTreSS): SGD 0.1, m 0.9, wd 0, 90 epochs, cosine; batch not in the spec (256). */
  lightly: { ...BASE, learningRate: 0.1, epochs: 90, schedule: { type: 'cosine' } },
  /** align-uniform / CACR small scale: Adam 1e-3, betas (0.5, 0.999), batch 128, 100 epochs, x0.2 at 60/80. */
  'align-uniform': {
    ...BASE,
    optimizer: 'adam',
    learningRate: 1e-3,
    betas: [0.5, 0.999],
    batchSize: 128,
    schedule: { type: 'step', milestones: [60, 80], gamma: 0.2 },
  },
  /** DySTreSS / leftthomas CIFAR: Adam 1e-3, wd 1e-6, batch 512, 100 epochs, constant lr. */
  leftthomas: {
    ...BASE,
    optimizer: 'adam',
    learningRate: 1e-3,
    weightDecay: 1e-6,
    batchSize: 512,
    schedule: { type: 'constant' },
  },
  /** MoCo CIFAR demo recommendation: lr 30, wd 0, 100 epochs, cosine; batch not in the spec (256). */
  'moco-cifar': { ...BASE, schedule: { type: 'cosine' } },
  /**
   * SimCLR README CIFAR-10 linear eval (the "around 91%" command, google-research/simclr
   * README.md:116-122 @ 383d414): `--optimizer=momentum` = Nesterov momentum 0.9
   * (model_util.py:89-90), lr 0.1 per 256 with the default linear scaling = 0.2 at
   * batch 512 (model_util.py:65), wd 0, 100 epochs, no warm-up then cosine
   * (model_util.py:76-81), zero-initialised logits (`--zero_init_logits_layer=True`).
   */
  'simclr-cifar': {
    ...BASE,
    learningRate: 0.2,
    nesterov: true,
    batchSize: 512,
    epochs: 100,
    schedule: { type: 'cosine' },
    initStd: 0,
  },
});

export const LINEAR_PROBE_PRESET_NAMES = Object.keys(LINEAR_PROBE_PRESETS) as LinearProbePreset[];

/** Learning rate of `epoch` (0-based) under the schedule (per-epoch, as MoCo's adjust_learning_rate). */
export function learningRateAt(config: LinearProbeConfig, epoch: number): number {
  const s = config.schedule;
  if (s.type === 'constant') return config.learningRate;
  if (s.type === 'cosine') return config.learningRate * 0.5 * (1 + Math.cos((Math.PI * epoch) / config.epochs));
  let lr = config.learningRate;
  for (const m of s.milestones) if (epoch >= m) lr *= s.gamma;
  return lr;
}
