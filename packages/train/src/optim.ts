/**
 * `@contrastive/train/optim`: the optimizers, learning-rate schedules, the
 * device-side loss window and the 2-D PCA, without the run folders,
 * checkpoints, progress bar and report (which use `fs`, `crypto` and
 * `child_process`), so that a browser bundle can train with them.
 */
export { createSgd, SGD_DEFAULTS } from './sgd';
export type { SgdOptions } from './sgd';
export { createLars, LARS_DEFAULTS } from './lars';
export type { LarsOptions } from './lars';
export { createAdamW, ADAMW_DEFAULTS } from './adamw';
export type { AdamWOptions } from './adamw';
export type { Gradients, OptimizerKind, OptimizerState, TrainOptimizer } from './optimizer';
export { resolveVariables, SIMCLR_EXCLUDE_PATTERN } from './variables';
export type { ExclusionRule, VariableInfo, VariableLike } from './variables';
export {
  constantSchedule,
  cosineSchedule,
  createLrSchedule,
  multiStepSchedule,
  quantize,
  withWarmup,
} from './lr-schedule';
export type { LrScheduleConfig, Schedule } from './lr-schedule';
export { checkFiniteLoss, NotFiniteLossError } from './nan-guard';
export type { TrainingPosition } from './nan-guard';
export { createLossWindow } from './loss-window';
export type { LossWindow, StepLoss } from './loss-window';
export { pca2d, PCA_DEFAULTS } from './pca';
export type { Pca2d, Pca2dOptions } from './pca';
