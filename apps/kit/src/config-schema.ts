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

export const DATASET_NAMES = ['fashion-mnist', 'cifar10', 'cifar100', 'stl10', 'imagefolder'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

const positiveInt = z.number().int().positive();
const nonNegative = z.number().nonnegative();

export const dataSchema = z.object({
  /** Which reader. `fashion-mnist` is embedded; the others read `root`. */
  dataset: z.enum(DATASET_NAMES),
  /** Folder with the official files (or `--data`). Not used by fashion-mnist. */
  root: z.string().optional(),
  /** STL-10: pre-train on 'train+unlabeled' (105k, the SSL split) or 'train'. */
  stl10Split: z.enum(['train', 'train+unlabeled']).default('train+unlabeled'),
  /** ImageFolder: a file listing the classes to use (the ImageNet-100 subset). */
  classList: z.string().optional(),
  /** ImageFolder: decoded side before augmentation. Default 256 (Resize 256 of the eval transform). */
  imageSize: positiveInt.default(256),
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
});

export const modelSchema = z.object({
  backbone: z.enum(BACKBONE_NAMES as unknown as [string, ...string[]]),
  /** ResNet stem: 'cifar' (3x3 s1, no max-pool) or 'imagenet'. */
  stem: z.enum(['cifar', 'imagenet']).default('cifar'),
  /** ConvNet widths (backbone 'conv-net'). */
  convChannels: z.array(positiveInt).optional(),
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
  milestones: z.array(nonNegative).default([]),
  gamma: z.number().positive().default(0.1),
  floor: nonNegative.default(0),
});

export const trainSchema = z.object({
  epochs: positiveInt,
  batchSize: z.number().int().min(2),
  /** Stop each epoch after this many steps (smoke and CPU presets). */
  maxStepsPerEpoch: positiveInt.optional(),
  /** Save a checkpoint every this many epochs (and at the end). */
  checkpointEvery: positiveInt.default(1),
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
  /** Final linear probe protocol (@contrastive/eval presets) or 'none'. */
  linearProbe: z.enum([...LINEAR_PROBE_PRESET_NAMES, 'none'] as unknown as [string, ...string[]]).default('fast'),
  /** Override the probe's epochs (CPU presets). */
  linearProbeEpochs: positiveInt.optional(),
  /** Points in the report's 2-D embedding scatter. */
  scatterPoints: positiveInt.default(1000),
});

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
  });
}

/** The shared part of every resolved app config. */
export type BaseConfig = z.output<ReturnType<typeof appConfigSchema<z.ZodType>>>;
