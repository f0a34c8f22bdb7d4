export { cctLoss, cctTerms, CCT_DEFAULTS } from './cct-terms';
export type { CctOptions } from './cct-terms';
export { cctQueueLoss, cctQueueTerms, CCT_QUEUE_DEFAULTS } from './cct-queue-loss';
export type { CctQueueOptions } from './cct-queue-loss';
