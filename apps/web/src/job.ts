/**
 * The page's training job: SimCLR's default job (`cpu-fashion-mnist`, see
 * apps/simclr/src/config.ts) with every recipe value kept (augmentation
 * with its crop area 0.3-1, ConvNet with its 3x3 pool grid, SimCLR head, SGD
 * lr 0.15 x B/256 at batch 128, cosine schedule, 2 epochs, temperature, kNN
 * protocol) and only its size reduced so that it trains in a browser tab in
 * a minute or two: fewer training images, smaller kNN bank and queries.
 * `job.test.ts` checks that nothing else differs.
 */

/** The sizes this page changes, with the default job's values. */
export const REDUCED_FROM_DEFAULT = Object.freeze({
  'data.trainLimit': 60_000,
  'data.evalTrainLimit': 10_000,
  'data.evalTestLimit': 2_000,
  'train.logEvery': 5,
  'eval.scatterPoints': 1_000,
});

export const WEB_JOB = Object.freeze({
  seed: 0,
  data: { dataset: 'fashion-mnist', trainLimit: 4096, evalTrainLimit: 2000, evalTestLimit: 500 },
  augment: { preset: 'fashion-mnist-cpu', views: 2, cropScale: [0.3, 1] },
  model: { backbone: 'conv-net', convChannels: [32, 64, 128], convPoolGrid: 3, head: 'simclr' },
  optimizer: { name: 'sgd', lr: 0.15, lrScaling: 'linear', momentum: 0.9, weightDecay: 5e-4 },
  schedule: { decay: 'cosine', per: 'iteration', warmupEpochs: 0 },
  // logEvery 2: a loss point every other step (one host read each) for a live curve.
  train: { epochs: 2, batchSize: 128, logEvery: 2 },
  eval: { knnK: 200, knnT: 0.1, scatterPoints: 500 },
  method: { temperature: 0.2, reduction: 'mean' },
} as const);

export type WebJob = typeof WEB_JOB;

/** What a caller (a test, a URL) may shrink further: the run's length and batch. */
export interface JobOverrides {
  /** Stop after this many optimizer steps. */
  maxSteps?: number;
  /** Images per batch (the learning rate follows the job's linear scaling). */
  batchSize?: number;
  /** kNN bank images (default the job's `evalTrainLimit`). */
  bankImages?: number;
  /** kNN query and scatter images (default the job's `evalTestLimit` and `scatterPoints`). */
  queryImages?: number;
}

/** The job with the evaluation sizes of `overrides` (never more images than the job loads). */
export function withEvalSizes(job: WebJob, overrides: JobOverrides): WebJob {
  const bank = Math.min(overrides.bankImages ?? job.data.evalTrainLimit, job.data.evalTrainLimit);
  const queries = Math.min(overrides.queryImages ?? job.data.evalTestLimit, job.data.evalTestLimit);
  return {
    ...job,
    data: { ...job.data, evalTrainLimit: bank, evalTestLimit: queries },
    eval: { ...job.eval, scatterPoints: Math.min(job.eval.scatterPoints, queries) },
  } as WebJob;
}

/** Images of each split the page loads: the training images and the kNN bank come from train. */
export function imagesNeeded(job: WebJob): { train: number; test: number } {
  return { train: Math.max(job.data.trainLimit, job.data.evalTrainLimit), test: job.data.evalTestLimit };
}
