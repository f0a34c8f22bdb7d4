export { appConfigSchema, augmentSchema, dataSchema, DATASET_NAMES, evalSchema, modelSchema, optimizerSchema, scheduleSchema, trainSchema } from './config-schema';
export type { BaseConfig, DatasetName } from './config-schema';
export { openRunData, stratifiedSubset } from './open-data';
export type { DataConfig, RunData } from './open-data';
export { buildEncoder } from './build-encoder';
export type { ModelConfig } from './build-encoder';
export { buildOptimizer, buildSchedule, scaledLearningRate } from './build-optimizer';
export { BATCH_NORM_CALIBRATION_IMAGES, calibrateBatchNorm, holdBatchNormStatistics } from './calibrate-batch-norm';
export type { BatchNormCalibration, BatchNormCalibrationOptions } from './calibrate-batch-norm';
export { backboneFeatures, extractFeatures, projectionFeatures } from './features';
export type { Embed, FeatureSet } from './features';
export {
  alignmentUniformity,
  disposeEvalSets,
  embedEvalSets,
  knnScore,
  KNN_FEATURE_CHOICES,
  probeScore,
  RAW_PIXEL_MAX_ELEMENTS,
  rawPixelFeatures,
  rawPixelKnn,
} from './evaluate';
export type { EvalSets, KnnFeatureChoice, KnnScore, RawPixelKnn } from './evaluate';
export { idxPrefixes, openIdxData } from './open-idx';
export { NORMALIZATION_NAMES, NORMALIZATION_STATS, openAugment } from './open-augment';
export type { RunAugment } from './open-augment';
export { defineApp } from './method';
export { longerPreset } from './longer-preset';
export type { AppDefinition, BatchInfo, Method, MethodContext, MethodState } from './method';
export { rawPixelNote, trainApp } from './train-app';
export type { TrainAppOptions, TrainAppResult } from './train-app';
export { writeRunReport } from './run-report';
export { evaluateRun } from './evaluate-run';
export { augmentedProbeScore, decodeProbeCrops, finalProbe, PROBE_CROP, probeCrops, tensorProbeCrops } from './augmented-probe';
export type { ProbeCrops, ProbeImages } from './augmented-probe';
export { perClassBank } from './knn-bank';
export type { RunEvaluation } from './evaluate-run';
export { createMomentumBranch } from './momentum-branch';
export type { MomentumBranch, MomentumBranchOptions } from './momentum-branch';
export { MAX_HELD_LOSSES, trainEpoch } from './train-epoch';
export type { EpochBatch, EpochLoop, EpochResult, LoopOptimizer } from './train-epoch';
