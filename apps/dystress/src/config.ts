/**
 * DySTreSS presets. Every paper value cites spec/losses.md §4; CPU and smoke
 * presets are overrides of the Fashion-MNIST base, never copies.
 */
import { z } from 'zod';
import { appConfigSchema } from '@contrastive/app-kit';

/** 'ntxent': TSNTXent (SimCLR NT-Xent with tau(s)); 'dcl': TSDCL (positive removed from the denominator). */
export const DYSTRESS_LOSS_NAMES = ['ntxent', 'dcl'] as const;

/**
 * How the two views go through the encoder: 'together' (one forward pass
 * of the 2B stacked views, BatchNorm statistics over both) or 'separately'
 * (one forward per view, statistics per view).
 */
export const ENCODE_VIEWS = ['together', 'separately'] as const;
export type EncodeViews = (typeof ENCODE_VIEWS)[number];
export type DystressLossName = (typeof DYSTRESS_LOSS_NAMES)[number];

export const dystressMethodSchema = z
  .object({
    /** Which loss (spec §4(a)): 'ntxent' (main) or 'dcl' (TSDCL variant of the ImageNet code). */
    loss: z.enum(DYSTRESS_LOSS_NAMES).default('ntxent'),
    /** Sharpest temperature, at s = 0 (spec §4(b)). */
    tauMin: z.number().positive(),
    /** Largest temperature, at s = ±1 (spec §4(b)). */
    tauMax: z.number().positive(),
    /** Threshold s0 of the shifted variant; null = the main form the official forward passes use (spec §4(a)). */
    shift: z.number().nullable().default(null),
    /** Half-period k of the shifted variant (used only with a shift). */
    scale: z.number().positive().default(1),
    /** tau computed on sg(s) (both official code paths detach; spec §4(e)). */
    detachTemperature: z.boolean().default(true),
    /**
     * Views through the encoder 'together' (default; the lightly ImageNet code,
     * imagenet/tssimclr.py:43) or 'separately' (the smallscale code,
     * smallscale/main.py:73-74: BN statistics per view).
     */
    encodeViews: z.enum(ENCODE_VIEWS).default('together'),
  })
  .refine((m) => m.tauMax >= m.tauMin, { message: 'tauMax must be >= tauMin', path: ['tauMax'] });

export const dystressSchema = appConfigSchema(dystressMethodSchema);
export type DystressConfig = z.output<typeof dystressSchema>;
type Preset = z.input<typeof dystressSchema>;

/** DySTreSS smallscale code on CIFAR-10 (spec §4(c) "CIFAR-10/100, CIFAR-LT, TinyImageNet"). */
export const paperCifar10: Preset = {
  seed: 0,
  data: { dataset: 'cifar10' },
  augment: { preset: 'simclr-cifar', views: 2 }, // SimCLR-style CIFAR pipeline, CIFAR-10 mean/std (spec §4(c), §0.5)
  model: { backbone: 'resnet18', stem: 'cifar', head: 'dystress' }, // ResNet-18 CIFAR stem, 512-512(BN)-128(BN) head without bias (spec §4(c))
  optimizer: {
    name: 'sgd', // SGD(lr=0.2, weight_decay=5e-4) with no momentum argument (spec §4(c), §4(e))
    lr: 0.2,
    lrScaling: 'none',
    momentum: 0, // momentum-free SGD, as the code (spec §4(e): match exactly)
    weightDecay: 5e-4,
  },
  schedule: { decay: 'cosine', per: 'epoch', warmupEpochs: 0 }, // CosineAnnealingLR(T_max = epochs), stepped per epoch (spec §4(c))
  train: { epochs: 200, batchSize: 128, checkpointEvery: 10 }, // batch 128 drop_last, 200 epochs (spec §4(c))
  eval: { knnEvery: 1, knnK: 200, knnT: 0.1, linearProbe: 'leftthomas' }, // kNN k=200 t=0.1 on 512-d backbone features every epoch (spec §4(c), §7.2); linear: leftthomas protocol (§7.3)
  // smallscale defaults (spec §4(b)); `--func cossin` main form (§4(e)); net(pos_1), net(pos_2): one forward per view (smallscale/main.py:73-74)
  method: { loss: 'ntxent', tauMin: 0.07, tauMax: 0.2, shift: null, scale: 1, detachTemperature: true, encodeViews: 'separately' },
};

/** The same smallscale setup on CIFAR-100 (spec §4(b)-(c): same code defaults; CIFAR-10 mean/std). */
export const paperCifar100: Preset = {
  ...paperCifar10,
  data: { dataset: 'cifar100' },
};

/** ImageNet-1K with the lightly scaffolding (spec §4(c) "ImageNet-100 / 1K"). */
export const paperImagenet: Preset = {
  seed: 0,
  data: { dataset: 'imagefolder', imageSize: 256 }, // ImageNet train/ and val/ folders
  augment: { preset: 'simclr-imagenet', views: 2 }, // lightly SimCLRTransform defaults [U] (spec §4(c))
  model: { backbone: 'resnet50', stem: 'imagenet', head: 'simclr' }, // ResNet-50; lightly SimCLRProjectionHead 2048-2048-128 with BN [U] (spec §4(c))
  optimizer: {
    name: 'lars', // LARS, momentum 0.9 (spec §4(c))
    lr: 0.075, // 0.075 x sqrt(global batch) (spec §4(c))
    lrScaling: 'sqrt',
    momentum: 0.9,
    weightDecay: 1e-6, // wd 1e-6, not on BN/bias (spec §4(c))
    excludeBnAndBias: true,
  },
  schedule: { decay: 'cosine', per: 'iteration', warmupEpochs: 10 }, // cosine with 10 warmup epochs, per iteration (spec §4(c))
  train: { epochs: 100, batchSize: 256, checkpointEvery: 1 }, // 128 per device x 2 devices (README example), 100 epochs (spec §4(c))
  eval: { knnEvery: 10, knnK: 20, knnT: 0.1, linearProbe: 'lightly', knnBankPerClass: 100, linearProbeAugmented: true }, // kNN k=20 (not 200; spec §4(e)), t=0.1; linear 90 epochs SGD 0.1 cosine (spec §4(c))
  // TSNTXentLoss instantiation (spec §4(b)); self.forward(torch.cat(views)): one pass over both views (imagenet/tssimclr.py:43)
  method: { loss: 'ntxent', tauMin: 0.1, tauMax: 0.2, shift: null, scale: 1, detachTemperature: true, encodeViews: 'together' },
};

/** ImageNet-100: the ImageNet setup on CMC's 100 classes (the list shipped with @contrastive/data; spec §4(b)-(c)). */
export const paperImagenet100: Preset = { ...paperImagenet, data: { ...paperImagenet.data, classList: 'imagenet100' } };

/** The CPU job: a small ConvNet on the embedded Fashion-MNIST (about 10 minutes on this machine). */
export const cpuFashionMnist: Preset = {
  seed: 0,
  backend: 'auto',
  // Data, crops, pool grid, batch and lr: the CPU recipe searched in apps/simclr/README.md ("Recipe search").
  data: { dataset: 'fashion-mnist', trainLimit: 60_000, evalTrainLimit: 10_000, evalTestLimit: 2_000 },
  augment: { preset: 'fashion-mnist-cpu', views: 2, cropScale: [0.3, 1] },
  model: { backbone: 'conv-net', convChannels: [32, 64, 128], convPoolGrid: 3, head: 'dystress' },
  optimizer: { name: 'sgd', lr: 0.15, lrScaling: 'linear', momentum: 0.9, weightDecay: 5e-4 }, // 0.15 x 128/256
  schedule: { decay: 'cosine', per: 'iteration', warmupEpochs: 0 },
  train: { epochs: 2, batchSize: 128, checkpointEvery: 1, logEvery: 5 },
  eval: { knnEvery: 1, knnK: 200, knnT: 0.1, linearProbe: 'fast', scatterPoints: 1000 },
  method: { loss: 'ntxent', tauMin: 0.07, tauMax: 0.2 },
};

/** Seconds: a few steps of a tiny ConvNet, for tests. */
export const smoke: Preset = {
  ...cpuFashionMnist,
  data: { dataset: 'fashion-mnist', trainLimit: 256, evalTrainLimit: 200, evalTestLimit: 100 },
  // The tests' settings from before the CPU recipe search (the preset's crops and lr), kept so their calibrated margins hold.
  augment: { preset: 'fashion-mnist-cpu', views: 2 },
  optimizer: { name: 'sgd', lr: 0.06, lrScaling: 'linear', momentum: 0.9, weightDecay: 5e-4 },
  model: { backbone: 'conv-net', convChannels: [8, 16], head: 'dystress' },
  train: { epochs: 2, batchSize: 32, maxStepsPerEpoch: 3, checkpointEvery: 1, logEvery: 1 },
  eval: { knnEvery: 1, knnK: 20, knnT: 0.1, linearProbe: 'fast', linearProbeEpochs: 2, scatterPoints: 50 },
};

/** The smoke run with the TSDCL loss. */
export const smokeDcl: Preset = { ...smoke, method: { ...cpuFashionMnist.method, loss: 'dcl' } };

export const DYSTRESS_PRESETS = {
  'paper-cifar10': paperCifar10,
  'paper-cifar100': paperCifar100,
  'paper-imagenet': paperImagenet,
  'paper-imagenet100': paperImagenet100,
  'cpu-fashion-mnist': cpuFashionMnist,
  smoke,
  'smoke-dcl': smokeDcl,
} as const;

export const DYSTRESS_PRESET_DESCRIPTIONS: Record<keyof typeof DYSTRESS_PRESETS, string> = {
  'paper-cifar10': 'ResNet-18 CIFAR stem, SGD 0.2 no momentum, wd 5e-4, batch 128, 200 epochs, tau 0.07-0.2 (GPU; CIFAR-10 binary)',
  'paper-cifar100': 'as paper-cifar10 on CIFAR-100 (GPU; CIFAR-100 binary)',
  'paper-imagenet': 'ResNet-50, LARS 0.075 sqrt(B), wd 1e-6, batch 256, 100 epochs, tau 0.1-0.2, kNN k=20 (GPU; ImageNet folder)',
  'paper-imagenet100': "as paper-imagenet on CMC's ImageNet-100 classes (data.classList 'imagenet100') (GPU; ImageNet folder)",
  'cpu-fashion-mnist': 'ConvNet (3x3 pool grid) on embedded Fashion-MNIST, 2 epochs of 60k images, batch 128, crops 0.3-1',
  smoke: 'seconds; used by tests',
  'smoke-dcl': 'seconds; the TSDCL loss; used by tests',
};
