export { createMomentumEncoder, MOMENTUM_ENCODER_DEFAULTS } from './momentum-encoder';
export type { MomentumEncoder, MomentumEncoderOptions, MomentumEncoderState } from './momentum-encoder';
export { momentumAt, MOMENTUM_SCHEDULES } from './momentum-schedule';
export type { MomentumSchedule, MomentumScheduleName } from './momentum-schedule';
export { createFeatureQueue, FEATURE_QUEUE_DEFAULTS } from './feature-queue';
export type { FeatureQueue, FeatureQueueOptions, FeatureQueueState } from './feature-queue';
