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
export {
  CHECKPOINT_FORMAT,
  DEFAULT_KEEP_CHECKPOINTS,
  checkpointName,
  listCheckpoints,
  loadCheckpoint,
  loadLatestCheckpoint,
  pruneCheckpoints,
  restoreWeights,
  saveCheckpoint,
} from './checkpoint';
export type { Checkpoint, CheckpointInput, EpochPosition, SkippedCheckpoint } from './checkpoint';
export { appendMetricRecord, readMetricsLog, writeMetricsLog } from './metrics-log';
export type { MetricRecord, MetricsLog } from './metrics-log';
export { createRun, openRun, runTimestamp } from './run';
export type { CreateRunOptions, ResumePoint, Run, RunInfo } from './run';
export { baseVersions, gitCommit, TRAIN_VERSION } from './environment';
export { writeFileAtomic } from './atomic-write';
export { checkFiniteLoss, NotFiniteLossError } from './nan-guard';
export type { TrainingPosition } from './nan-guard';
export { applyOverrides, ConfigError, defineConfig, parseOverride, parseOverrideValue, resolveConfig } from './config';
export type { ConfigIssue, ConfigOverride } from './config';
export { createProgress, formatDuration, PROGRESS_DEFAULTS } from './progress';
export type { Progress, ProgressOptions, ProgressPayload, ProgressStream } from './progress';
export { pca2d, PCA_DEFAULTS } from './pca';
export type { Pca2d, Pca2dOptions } from './pca';
export { renderReport, renderVegaLiteSvg, REPORT_CHARTS, REPORT_DEFAULTS, writeReport } from './report';
export type { ReportChart, ReportEmbedding, ReportOptions } from './report';
export { createLossWindow } from './loss-window';
export type { LossWindow, StepLoss } from './loss-window';
