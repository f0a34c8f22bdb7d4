/**
 * The configuration every app shares: data, augmentation, model, optimiser,
 * schedule, training length, evaluation, seed and backend. Each app extends
 * it with a `method` section (its loss and method-specific settings).
 * Presets are plain objects validated by these schemas; `--set key=value`
 * overrides are applied before validation (see `resolveConfig` in
 * @contrastive/train), so every bad field is reported at once.
 */
import { z } from 'zod';
import { AUGMENT_PRESET_NAMES } from '@contrastive/augment';
import { BACKBONE_NAMES, PROJECTION_HEAD_PRESETS } from '@contrastive/encoders';
import { LINEAR_PROBE_PRESET_NAMES } from '@contrastive/eval';
import { KNN_FEATURE_CHOICES } from './evaluate';
import { NORMALIZATION_NAMES } from './open-augment';

export const DATASET_NAMES = ['fashion-mnist', 'cifar10', 'cifar100', 'stl10', 'imagefolder', 'idx'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

const positiveInt = z.number().int().positive();
const nonNegative = z.number().nonnegative();

export const dataSchema = z.object({
  /** Which reader. `fashion-mnist` is embedded; the others read `root`. */
  dataset: z.enum(DATASET_NAMES),
  /** Folder with the official files (or `--data`). Not used by fashion-mnist. */
  root: z.string().optional(),
  /**
   * idx: the file-name prefix before `train-images-idx3-ubyte[.gz]` (e.g.
   * `emnist-balanced-`); default: the one prefix found in `root` ('' for
   * MNIST, Fashion-MNIST and KMNIST).
   */
  idxPrefix: z.string().optional(),
  /**
   * CIFAR-10/100: require the official record counts (10,000 per file;
   * CIFAR-100 train 50,000), which also catches a file truncated at a record
   * boundary. false accepts any whole number of records (your own data in
   * the CIFAR layout). Default true.
   */
  officialSize: z.boolean().default(true),
  /** STL-10: pre-train on 'train+unlabeled' (105k, the SSL split) or 'train'. */
  stl10Split: z.enum(['train', 'train+unlabeled']).default('train+unlabeled'),
  /** ImageFolder: the classes to use, a shipped list ('imagenet100': CMC's ImageNet-100, every paper-imagenet100 preset) or a file listing them. */
  classList: z.string().optional(),
  /**
   * ImageFolder: decoded side before augmentation when `cropAtDecode` is
   * false. Default 256 (Resize 256 of the eval transform).
   */
  imageSize: positiveInt.default(256),
  /**
   * ImageFolder only: cut the preset's RandomResizedCrop from the full image
   * at decode (the loader's `views`, the preset's `decodeCrop`; spec §0.5, as
   * torchvision) and decode evaluation images with the preset's `evalDecode`
   * (Resize + CenterCrop, e.g. 256 then 224); the tensor pipeline then skips
   * its crop. false: decode an `imageSize` centre square and crop tensors.
   * Default true for imagefolder; an error on other datasets (their images
   * are already small arrays).
   */
  cropAtDecode: z.boolean().optional(),
  /** Pre-train on a seeded stratified subset of this many training images (CPU presets). */
  trainLimit: positiveInt.optional(),
  /** kNN/probe bank: this many labelled training images (seeded subset). */
  evalTrainLimit: positiveInt.optional(),
  /** kNN/probe queries: this many test images (seeded subset). */
  evalTestLimit: positiveInt.optional(),
});

export const augmentSchema = z.object({
  /** A preset of @contrastive/augment (spec §0.5). */
  preset: z.enum(AUGMENT_PRESET_NAMES),
  /** Views per image per step. 2 for SimCLR/MoCo; CACR small-scale uses more. */
  views: z.number().int().min(2).default(2),
  /**
   * Swap the preset's Normalize for these statistics (cifar10, cifar100,
   * stl10, imagenet, fashion-mnist, mnist); unset: the preset's own.
   */
  normalization: z.enum(NORMALIZATION_NAMES).optional(),
  /**
   * Replace the preset's RandomResizedCrop area range [min, max]
   * (0 < min <= max <= 1); unset: the preset's own. The CPU presets use
   * milder crops than the papers' 0.2-1 (see the apps' READMEs).
   */
  cropScale: z
    .tuple([z.number().gt(0).lte(1), z.number().gt(0).lte(1)])
    .refine(([min, max]) => min <= max, { message: 'cropScale must be [min, max] with min <= max' })
    .optional(),
});

export const modelSchema = z.object({
  backbone: z.enum(BACKBONE_NAMES as unknown as [string, ...string[]]),
  /** ResNets only: stem 'cifar' (3x3 s1, no max-pool; the default) or 'imagenet'. */
  stem: z.enum(['cifar', 'imagenet']).optional(),
  /** ResNets only: start the last BN of every residual block at gamma 0 (SiMo's cvpods config). Default false. */
  zeroInitResidual: z.boolean().optional(),
  /** conv-net only: the widths of its blocks. */
  convChannels: z.array(positiveInt).optional(),
  /** conv-net only: final pool grid side (1: global average; 2: AdaptiveAvgPool2d(2) + flatten, 4x the features). */
  convPoolGrid: positiveInt.optional(),
  /** Projection head preset of the paper (encoders' projectionHeadPreset). */
  head: z.enum(PROJECTION_HEAD_PRESETS as unknown as [string, ...string[]]),
  /** Projection output size; default the preset's (128). */
  projectionDim: positiveInt.optional(),
  /** Split BatchNorm groups in the heads (shuffle-BN emulation). Default 1. */
  batchNormGroups: positiveInt.default(1),
});

export const optimizerSchema = z.object({
  name: z.enum(['sgd', 'lars', 'adamw']),
  /** Base learning rate, before `lrScaling`. */
  lr: z.number().positive(),
  /** 'linear': lr x batch/256 (SimCLR, MoCo); 'sqrt': lr x sqrt(batch) (SimCLR LARS small batch); 'none'. */
  lrScaling: z.enum(['none', 'linear', 'sqrt']).default('none'),
  momentum: z.number().min(0).max(0.9999).default(0.9),
  nesterov: z.boolean().default(false),
  weightDecay: nonNegative.default(0),
  /** Exclude BatchNorm parameters and biases from weight decay (and LARS adaptation). */
  excludeBnAndBias: z.boolean().default(false),
});

export const scheduleSchema = z.object({
  decay: z.enum(['constant', 'cosine', 'multi-step']),
  per: z.enum(['iteration', 'epoch']).default('iteration'),
  warmupEpochs: nonNegative.default(0),
  /** Warm-up in optimiser steps instead of epochs (SiMo: 10 iterations); exclusive with warmupEpochs. Default 0. */
  warmupSteps: z.number().int().nonnegative().default(0),
  milestones: z.array(nonNegative).default([]),
  gamma: z.number().positive().default(0.1),
  floor: nonNegative.default(0),
}).refine((s) => s.warmupSteps === 0 || s.warmupEpochs === 0, {
  message: 'set warmupSteps or warmupEpochs, not both',
  path: ['warmupSteps'],
});

export const trainSchema = z.object({
  epochs: positiveInt,
  batchSize: z.number().int().min(2),
  /** Stop each epoch after this many steps (smoke and CPU presets). */
  maxStepsPerEpoch: positiveInt.optional(),
  /** Save a checkpoint every this many epochs (and at the end). */
  checkpointEvery: positiveInt.default(1),
  /**
   * Also save one every this many global steps inside epochs (an ImageNet
   * epoch takes hours); a resume continues at the same batch. Unset: none.
   */
  checkpointEverySteps: positiveInt.optional(),
  /** Keep this many checkpoints. */
  keepCheckpoints: positiveInt.default(2),
  /** Read the losses back and write a metrics record every this many steps (at the last step of each window). */
  logEvery: positiveInt.default(10),
});

export const evalSchema = z.object({
  /** Run the kNN monitor every this many epochs (0: only at the end). */
  knnEvery: z.number().int().nonnegative().default(1),
  /** Neighbours (spec §7.2: 200). */
  knnK: positiveInt.default(200),
  /** kNN temperature (spec §7.2: 0.1). */
  knnT: z.number().positive().default(0.1),
  /** Features of the kNN monitor: 'backbone' h (default) or 'projection' z (MoCo CIFAR-10 demo). Probes use h. */
  knnFeatures: z.enum(KNN_FEATURE_CHOICES).default('backbone'),
  /**
   * kNN bank (and the fixed-feature probe's training set): at most this many
   * labelled images per class, each class's drawn with the run's seed. The
   * ImageNet presets set 100 (100,000 of ImageNet's 1.28M images; ResNet-50
   * features 0.8 GB instead of 10.5 GB). Unset: every image of the bank.
   */
  knnBankPerClass: positiveInt.optional(),
  /** Final linear probe protocol (@contrastive/eval presets) or 'none'. */
  linearProbe: z.enum([...LINEAR_PROBE_PRESET_NAMES, 'none'] as unknown as [string, ...string[]]).default('fast'),
  /** Override the probe's epochs (CPU presets). */
  linearProbeEpochs: positiveInt.optional(),
  /**
   * Train the probe as MoCo's main_lincls: a new RandomResizedCrop(size) +
   * horizontal flip of every training image each epoch (the whole training
   * set, not the kNN bank) through the frozen backbone in eval mode; tested
   * on the eval transform (Resize(256)-CenterCrop(224) on ImageNet). Set by
   * the ImageNet presets. false: fixed features of the eval transform.
   */
  linearProbeAugmented: z.boolean().default(false),
  /** Points in the report's 2-D embedding scatter. */
  scatterPoints: positiveInt.default(1000),
});

const RESNETS: readonly string[] = ['resnet18', 'resnet34', 'resnet50'];

/**
 * Model fields the chosen backbone does not use are errors, not silently
 * carried: `stem` and `zeroInitResidual` belong to ResNets, `convChannels`
 * to conv-net.
 */
function checkModelFields(model: z.output<typeof modelSchema>, ctx: z.RefinementCtx): void {
  const resnet = RESNETS.includes(model.backbone);
  const unused = (field: string, owner: string) =>
    ctx.addIssue({
      code: 'custom',
      path: ['model', field],
      message: `not used by backbone '${model.backbone}' (only ${owner} read it); remove it`,
    });
  if (!resnet && model.stem !== undefined) unused('stem', 'ResNets');
  if (!resnet && model.zeroInitResidual !== undefined) unused('zeroInitResidual', 'ResNets');
  if (model.backbone !== 'conv-net' && model.convChannels !== undefined) unused('convChannels', 'conv-net');
  if (model.backbone !== 'conv-net' && model.convPoolGrid !== undefined) unused('convPoolGrid', 'conv-net');
}

/** `data.cropAtDecode` belongs to ImageFolder (see {@link dataSchema}). */
function checkDataFields(data: z.output<typeof dataSchema>, ctx: z.RefinementCtx): void {
  if (data.dataset !== 'imagefolder' && data.cropAtDecode !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['data', 'cropAtDecode'],
      message: `only dataset 'imagefolder' crops at decode; got ${String(data.cropAtDecode)} with dataset '${data.dataset}'; remove it`,
    });
  }
}

/** Whether a run cuts its training crops at decode: `data.cropAtDecode`, default true for imagefolder. */
export function cropsAtDecode(data: z.output<typeof dataSchema>): boolean {
  return data.dataset === 'imagefolder' && data.cropAtDecode !== false;
}

/** Builds an app's config schema from its `method` section. */
export function appConfigSchema<M extends z.ZodType>(method: M) {
  return z.object({
    seed: z.number().int().nonnegative().default(0),
    backend: z.enum(['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu']).default('auto'),
    data: dataSchema,
    augment: augmentSchema,
    model: modelSchema,
    optimizer: optimizerSchema,
    schedule: scheduleSchema,
    train: trainSchema,
    eval: evalSchema.default(evalSchema.parse({})),
    method,
  }).superRefine((config, ctx) => {
    checkModelFields(config.model, ctx);
    checkDataFields(config.data, ctx);
  });
}

/** The shared part of every resolved app config. */
export type BaseConfig = z.output<ReturnType<typeof appConfigSchema<z.ZodType>>>;
