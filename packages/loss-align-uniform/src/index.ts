export { alignmentLoss, ALIGNMENT_DEFAULTS, ALIGNMENT_EPSILON } from './alignment';
export type { AlignmentOptions } from './alignment';
export { uniformityLoss, UNIFORMITY_DEFAULTS } from './uniformity';
export type { UniformityOptions } from './uniformity';
export { alignUniformLoss, ALIGN_UNIFORM_DEFAULTS } from './align-uniform';
export type { AlignUniformOptions } from './align-uniform';
