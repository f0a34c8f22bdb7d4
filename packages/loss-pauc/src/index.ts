export { paucLoss, paucTerms } from './pauc';
export type { PaucTerms } from './pauc';
export { paucAlignmentTerm, paucCorrelationTerm, paucUniformityTerm } from './terms';
export { PAUC_CORRELATION_EPSILON, PAUC_DEFAULTS } from './options';
export type { PaucInputs, PaucOptions, PaucTermOptions } from './options';
