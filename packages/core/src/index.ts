export { ContrastiveError, argumentError, isContrastiveError } from './errors';
export type { ContrastiveErrorCode, ContrastiveErrorOptions } from './errors';
export {
  assertAxisSize,
  assertDtype,
  assertInRange,
  assertInteger,
  assertNonEmpty,
  assertNonNegative,
  assertOneOf,
  assertPositive,
  assertRank,
  assertSameShape,
  assertShape,
  describeShape,
  nearestName,
} from './checks';
export { l2Normalize, l2NormalizeBackward, l2NormalizeParts, L2_NORMALIZE_EPSILON } from './l2-normalize';
export type { L2NormalizeParts } from './l2-normalize';
export { stopGradient } from './stop-gradient';
export { createRng } from './rng';
export type { Rng, RngState } from './rng';
export { assertFinite } from './finite';
export { similarity, similarityToConstant } from './similarity';
export { offDiagonal } from './off-diagonal';
export { logSumExpLastAxis } from './log-sum-exp';
export { MASK_MARGIN, exclusionDepth, swapHalves, viewPairExclusion } from './view-pairs';
export { viewPairContrast } from './view-pair-contrast';
export type { ViewPairContrastOptions } from './view-pair-contrast';
export { RESAMPLE_GRIDS_KERNEL, RESAMPLE_GRID_FIELDS, resampleGridsInto } from './resample-grids';
export type { ResampleGridsAttrs } from './resample-grids';
