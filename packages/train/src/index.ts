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
