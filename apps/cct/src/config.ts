/**
 * CACR / CCT presets. Every paper value cites spec/losses.md §6 (and §0.4,
 * §0.5, §1(c), §7.3); CPU and smoke presets are overrides of the
 * Fashion-MNIST base, never copies.
 */
import { z } from 'zod';
import { appConfigSchema, longerPreset } from '@contrastive/app-kit';

/**
 * 'small-scale': every view through the one online encoder, in-batch
 * cross-view negatives (cctLoss). 'queue': MoCo-v2-style, momentum keys of
 * every view and a feature queue (cctQueueLoss).
 */
export const CCT_FORMS = ['small-scale', 'queue'] as const;
export type CctForm = (typeof CCT_FORMS)[number];

/** Queue-form defaults when unset (spec §6(b)): K 65536, m 0.999, shuffle-BN on. */
export const CCT_QUEUE_DEFAULTS = Object.freeze({ queueSize: 65536, momentum: 0.999, shuffleBn: true, candidateGroups: 1 });
/** Small-scale defaults when unset: the code's `--with_debiased` off, tau+ 0.1 (spec §6(a)). */
export const CCT_SMALL_SCALE_DEFAULTS = Object.freeze({ debiased: false, tauPlus: 0.1, encodeViews: 'together' as const });

/** Which fields only one form reads (others are rejected, not carried). */
const QUEUE_ONLY = ['queueSize', 'momentum', 'shuffleBn', 'candidateGroups'] as const;
const SMALL_SCALE_ONLY = ['debiased', 'tauPlus', 'encodeViews'] as const;

export const cctMethodSchema = z
  .object({
  form: z.enum(CCT_FORMS),
  /** t+ (tau_pos): inverse temperature of the positive plan (spec §6(b)). */
  tPos: z.number().nonnegative(),
  /** t- (tau_neg): inverse temperature of the negative plan (spec §6(b)). */
  tNeg: z.number().nonnegative(),
  /** Weight of the attraction term (spec §6(b)). */
  alpha: z.number().positive().default(1),
  /** Weight of the repulsion term (spec §6(b)). */
  beta: z.number().positive().default(1),
  /** Small-scale only: debiased repulsion (`--with_debiased`, spec §6(a)). Default false. */
  debiased: z.boolean().optional(),
  /** Small-scale only: class prior of the debiased repulsion (code 0.1; spec §6(a)). Default 0.1. */
  tauPlus: z.number().min(0).lt(1).optional(),
  /**
   * Small-scale only: the V views through the encoder 'together' (one pass,
   * BN statistics over all V x B images; the default) or 'separately' (one
   * pass per view, as the official small-scale code's
   * `for j in range(opt.Ny+1): encoder(samples_list[j])`).
   */
  encodeViews: z.enum(['together', 'separately']).optional(),
  /**
   * Stop-gradient on the transport plans. The small-scale code lets gradients
   * through them (false); the recommendation and the TMLR code detach (true; spec §6(e)).
   */
  detachWeights: z.boolean(),
  /** Queue form only: number of queued keys K (spec §6(b): 65536, the default). */
  queueSize: z.number().int().positive().optional(),
  /** Queue form only: EMA momentum of the key encoder (spec §6(b): 0.999, the default). */
  momentum: z.number().min(0).max(1).optional(),
  /**
   * Queue form only: emulate shuffle-BN by permuting each key batch before the key
   * encoder (whose BN is split into `model.batchNormGroups` groups) and
   * un-permuting the keys (spec §0.4). Default true.
   */
  shuffleBn: z.boolean().optional(),
  /**
   * Queue form only: the in-batch repulsion candidates of a query are the other
   * queries of its group of B / candidateGroups images. The official builder
   * runs per GPU, so its candidates are the GPU's own queries (8 GPUs: 32 of
   * 256; builder.py:239-242) and the loss is the mean of the GPUs' losses
   * (DDP). 1 (default): all B - 1 other queries of the batch.
   */
  candidateGroups: z.number().int().positive().optional(),
  })
  .superRefine((m, ctx) => {
    const unused = m.form === 'queue' ? SMALL_SCALE_ONLY : QUEUE_ONLY;
    for (const field of unused) {
      if (m[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `not used by form '${m.form}' (only the ${m.form === 'queue' ? 'small-scale' : 'queue'} form reads it); remove it` });
    }
  });

export const cctSchema = appConfigSchema(cctMethodSchema);
export type CctConfig = z.output<typeof cctSchema>;
type Preset = z.input<typeof cctSchema>;

/** Small-scale CIFAR-10: SmallAlexNet, 5 views (spec §6(b)-(c)). */
export const paperCifar10: Preset = {
  seed: 0,
  data: { dataset: 'cifar10' },
  augment: { preset: 'cacr-cifar', views: 5 }, // Ny = 4 -> 5 crops of the CACR CIFAR protocol (spec §6(a), §0.5)
  model: { backbone: 'small-alexnet', head: 'cacr' }, // SmallAlexNet, fc8 -> 128 (spec §6(c))
  optimizer: {
    name: 'sgd', // SGD momentum 0.9, wd 1e-4 (spec §6(c))
    lr: 0.12, // 0.12 x B/256 = 0.06 at B = 128 (spec §6(c))
    lrScaling: 'linear',
    momentum: 0.9,
    weightDecay: 1e-4,
  },
  schedule: { decay: 'multi-step', per: 'epoch', milestones: [155, 170, 185], gamma: 0.1 }, // x0.1 at 155, 170, 185 (spec §6(c))
  train: { epochs: 200, batchSize: 128, checkpointEvery: 10 }, // Ns = 128 (spec §6(b)), 200 epochs (spec §6(c))
  eval: { knnEvery: 10, linearProbe: 'align-uniform' }, // fc7 features, Adam 1e-3 (0.5, 0.999), batch 128, 100 epochs, x0.2 at 60/80 (spec §6(c))
  method: {
    form: 'small-scale',
    tPos: 1.0, // spec §6(b)
    tNeg: 0.9, // CIFAR-10 README (code default 1.0; spec §6(b))
    alpha: 1.0,
    beta: 1.0,
    debiased: false,
    detachWeights: false, // the small-scale code does not detach the plans (spec §6(a), §6(e))
    encodeViews: 'separately', // one encoder pass per view (cifar10/main_ours.py:134-136)
  },
};

/** Small-scale CIFAR-100: t- = 2.0 (spec §6(b)). */
export const paperCifar100: Preset = {
  ...paperCifar10,
  data: { dataset: 'cifar100' },
  augment: { preset: 'cacr-cifar', views: 5, normalization: 'cifar100' }, // CIFAR-100 mean/std (cifar100/main_ours.py:89-91)
  method: { ...paperCifar10.method, tNeg: 2.0 }, // README and code default (spec §6(b))
};

/** Small-scale STL-10 at 64 px, train+unlabeled (spec §6(b)-(c), §0.5). */
export const paperStl10: Preset = {
  ...paperCifar10,
  data: { dataset: 'stl10', stl10Split: 'train+unlabeled' }, // SSL split (spec §0.5)
  augment: { preset: 'cacr-stl10', views: 5 }, // RandomResizedCrop 64 (0.08, 1); eval Resize 70, CenterCrop 64 (spec §0.5)
  method: { ...paperCifar10.method, tNeg: 2.0, beta: 1.0 }, // README values; the code defaults differ (t- 1.0, beta 2.0; spec §6(b), §6(e))
};

/** ImageNet-1K, MoCo-v2-based CACR with a queue (spec §6(a) "ImageNet, MoCo v2 based", §6(b)-(c)). */
export const paperImagenet: Preset = {
  seed: 0,
  data: { dataset: 'imagefolder', imageSize: 256 },
  augment: { preset: 'moco-v2', views: 5 }, // 5 crops of aug+ (spec §6(c), §0.5)
  model: { backbone: 'resnet50', stem: 'imagenet', head: 'moco-v2', batchNormGroups: 8 }, // ResNet-50, --mlp (spec §6(b)); 8 BN groups stand in for 8-GPU shuffle-BN (spec §0.4)
  optimizer: { name: 'sgd', lr: 0.03, lrScaling: 'none', momentum: 0.9, weightDecay: 1e-4 }, // lr 0.03, wd 1e-4 (spec §6(b)-(c), MoCo §1(c))
  schedule: { decay: 'cosine', per: 'epoch', warmupEpochs: 0 }, // --cos, set once per epoch (spec §6(b), §1(c))
  train: { epochs: 200, batchSize: 256, checkpointEvery: 1 }, // Ns = 256, 200 epochs (spec §6(b)-(c))
  eval: { knnEvery: 10, linearProbe: 'moco', knnBankPerClass: 100, linearProbeAugmented: true }, // linear lr 30, batch 256 (spec §6(c), §7.3)
  method: {
    form: 'queue',
    tPos: 1.0, // spec §6(b)
    tNeg: 2.0, // spec §6(b)
    alpha: 1.0, // README (code default 3.0; spec §6(b), §6(e))
    beta: 1.0,
    detachWeights: true, // positive plan and queue plan detached in this builder (spec §6(e))
    queueSize: 65536, // K (spec §6(b))
    momentum: 0.999, // m (spec §6(b))
    shuffleBn: true, // spec §0.4
    candidateGroups: 8, // per-GPU in-batch candidates: 8 GPUs x 32 (builder.py:239-242)
  },
};

/** The CPU job: in-batch small-scale form with a ConvNet on the embedded Fashion-MNIST. */
export const cpuFashionMnist: Preset = {
  seed: 0,
  backend: 'auto',
  // Crops, pool grid, batch and lr: the CPU recipe searched in apps/simclr/README.md ("Recipe search").
  // Two views of 60k images: at equal cost (three views of 40k) they measured 77.65% against 77.30%
  // after 2 epochs and 78.25% against 77.95% after 4 (README, "Our CPU numbers").
  data: { dataset: 'fashion-mnist', trainLimit: 60_000, evalTrainLimit: 10_000, evalTestLimit: 2_000 },
  augment: { preset: 'fashion-mnist-cpu', views: 2, cropScale: [0.3, 1] },
  model: { backbone: 'conv-net', convChannels: [32, 64, 128], convPoolGrid: 3, head: 'cacr' },
  optimizer: { name: 'sgd', lr: 0.15, lrScaling: 'linear', momentum: 0.9, weightDecay: 1e-4 }, // 0.15 x 128/256
  schedule: { decay: 'cosine', per: 'iteration', warmupEpochs: 0 },
  train: { epochs: 2, batchSize: 128, checkpointEvery: 1, logEvery: 5 },
  eval: { knnEvery: 1, knnK: 200, knnT: 0.1, linearProbe: 'fast', scatterPoints: 1000 },
  method: { form: 'small-scale', tPos: 1.0, tNeg: 0.9, alpha: 1.0, beta: 1.0, detachWeights: false },
};

/** The CPU recipe for 4 epochs: the shortest length measured to clear raw pixels by a point (README). */
export const cpuFashionMnistLong: Preset = longerPreset(cpuFashionMnist, 4);

/** Seconds: a few steps of a tiny ConvNet, for tests (small-scale form, 3 views). */
export const smoke: Preset = {
  ...cpuFashionMnist,
  data: { dataset: 'fashion-mnist', trainLimit: 256, evalTrainLimit: 200, evalTestLimit: 100 },
  augment: { preset: 'fashion-mnist-cpu', views: 3 }, // the tests' crops from before the CPU recipe search
  optimizer: { name: 'sgd', lr: 0.12, lrScaling: 'linear', momentum: 0.9, weightDecay: 1e-4 },
  model: { backbone: 'conv-net', convChannels: [8, 16], head: 'cacr' },
  train: { epochs: 2, batchSize: 32, maxStepsPerEpoch: 3, checkpointEvery: 1, logEvery: 1 },
  eval: { knnEvery: 1, knnK: 20, knnT: 0.1, linearProbe: 'fast', linearProbeEpochs: 2, scatterPoints: 50 },
};

/** Seconds: the queue form (momentum keys of 3 views, a 64-key queue, 2 BN groups with shuffling). */
export const smokeQueue: Preset = {
  ...smoke,
  model: { backbone: 'conv-net', convChannels: [8, 16], head: 'moco-v2', batchNormGroups: 2 },
  method: { form: 'queue', tPos: 1.0, tNeg: 2.0, detachWeights: true, queueSize: 64, momentum: 0.99, shuffleBn: true },
};

export const CCT_PRESETS = {
  'paper-cifar10': paperCifar10,
  'paper-cifar100': paperCifar100,
  'paper-stl10': paperStl10,
  'paper-imagenet': paperImagenet,
  'cpu-fashion-mnist': cpuFashionMnist,
  'cpu-fashion-mnist-long': cpuFashionMnistLong,
  smoke,
  'smoke-queue': smokeQueue,
} as const;

export const CCT_PRESET_DESCRIPTIONS: Record<keyof typeof CCT_PRESETS, string> = {
  'paper-cifar10': 'SmallAlexNet, 5 views, SGD 0.12xB/256, batch 128, 200 epochs, t+ 1, t- 0.9 (GPU; CIFAR-10 binary)',
  'paper-cifar100': 'as paper-cifar10 with t- 2.0 and CIFAR-100 normalisation (GPU; CIFAR-100 binary)',
  'paper-stl10': 'SmallAlexNet at 64 px, train+unlabeled, t- 2.0, beta 1.0 (GPU; STL-10 binary)',
  'paper-imagenet': 'MoCo-v2-style: ResNet-50, 5 crops of aug+, queue 65536, m 0.999, lr 0.03 cosine, 200 epochs (GPU; ImageNet folder)',
  'cpu-fashion-mnist': 'ConvNet (3x3 pool grid), 2 views, in-batch small-scale form, 2 epochs of 60k Fashion-MNIST images, batch 128, crops 0.3-1',
  'cpu-fashion-mnist-long': 'the cpu-fashion-mnist recipe for 4 epochs, the shortest measured to beat raw pixels by a clear margin (README)',
  smoke: 'seconds; small-scale form; used by tests',
  'smoke-queue': 'seconds; queue form with a momentum encoder; used by tests',
};
