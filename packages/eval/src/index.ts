export { knnClassify, KNN_DEFAULTS } from './knn-classify';
export type { FeatureChunks, KnnOptions, KnnResult } from './knn-classify';
export { linearProbe } from './linear-probe';
export { linearProbeStream } from './linear-probe-stream';
export type { LinearProbeStreamOptions, ProbeBatch, ProbeBatches } from './linear-probe-stream';
export type { LinearProbeEpoch, LinearProbeOptions, LinearProbeResult, ProbeData } from './linear-probe';
export { LINEAR_PROBE_PRESETS, LINEAR_PROBE_PRESET_NAMES, learningRateAt } from './linear-probe-presets';
export type {
  LinearProbeConfig,
  LinearProbeOptimizer,
  LinearProbePreset,
  LinearProbeSchedule,
} from './linear-probe-presets';
export { alignment, ALIGNMENT_DEFAULTS } from './alignment';
export type { AlignmentOptions } from './alignment';
export { uniformity, UNIFORMITY_DEFAULTS } from './uniformity';
export type { UniformityOptions } from './uniformity';
export { normalizedMutualInfo, adjustedMutualInfo } from './mutual-information';
export { adjustedRandIndex } from './adjusted-rand-index';
export { clusterAccuracy } from './cluster-accuracy';
export { linearSumAssignment } from './linear-sum-assignment';
export type { LinearSumAssignmentOptions } from './linear-sum-assignment';
export { effectiveRank, effectiveRankOfSpectrum } from './effective-rank';
export type { EffectiveRankOptions } from './effective-rank';
export { symmetricEigenvalues } from './symmetric-eigenvalues';
export type { Labels } from './label-array';
