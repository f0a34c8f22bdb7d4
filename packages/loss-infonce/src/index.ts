export { ntXentLoss, ntXentLogits, NT_XENT_DEFAULTS, NT_XENT_REDUCTIONS } from './nt-xent';
export type { NtXentOptions, NtXentReduction } from './nt-xent';
export { infoNceLoss, INFO_NCE_DEFAULTS } from './info-nce';
export type { InfoNceOptions } from './info-nce';
export { dclLoss, DCL_DEFAULTS } from './dcl';
export type { DclOptions } from './dcl';
export { logSumExpRows, logSumExpWithFirst, maskLogits, MASK_MARGIN } from './log-sum-exp';
