import { createAdamW, createLars, createLrSchedule, createSgd, type Schedule, type TrainOptimizer, type VariableLike } from '@contrastive/train';
import type { z } from 'zod';
import type { optimizerSchema, scheduleSchema } from './config-schema';

export type OptimizerConfig = z.output<typeof optimizerSchema>;
export type ScheduleConfig = z.output<typeof scheduleSchema>;

/** The base learning rate after the paper's batch-size scaling rule. */
export function scaledLearningRate(config: OptimizerConfig, batchSize: number): number {
  switch (config.lrScaling) {
    case 'linear':
      return (config.lr * batchSize) / 256;
    case 'sqrt':
      return config.lr * Math.sqrt(batchSize);
    case 'none':
      return config.lr;
  }
}

/** The optimiser of the config over `variables`. */
export function buildOptimizer(config: OptimizerConfig, variables: readonly VariableLike[], batchSize: number): TrainOptimizer {
  const learningRate = scaledLearningRate(config, batchSize);
  const exclude = config.excludeBnAndBias ? ('rank<=1' as const) : ('none' as const);
  switch (config.name) {
    case 'sgd':
      return createSgd(variables, {
        learningRate,
        momentum: config.momentum,
        nesterov: config.nesterov,
        weightDecay: config.weightDecay,
        excludeFromDecay: exclude,
      });
    case 'lars':
      return createLars(variables, {
        learningRate,
        momentum: config.momentum,
        nesterov: config.nesterov,
        weightDecay: config.weightDecay,
        excludeFromDecay: exclude,
        excludeFromAdaptation: exclude,
      });
    case 'adamw':
      return createAdamW(variables, { learningRate, weightDecay: config.weightDecay, excludeFromDecay: exclude });
  }
}

/** lr(step) for the whole run. */
export function buildSchedule(
  schedule: ScheduleConfig,
  optimizer: OptimizerConfig,
  options: { batchSize: number; epochs: number; stepsPerEpoch: number },
): Schedule {
  return createLrSchedule(
    {
      base: scaledLearningRate(optimizer, options.batchSize),
      decay: schedule.decay,
      epochs: options.epochs,
      per: schedule.per,
      ...(schedule.warmupSteps > 0 ? { warmupSteps: schedule.warmupSteps } : { warmupEpochs: schedule.warmupEpochs }),
      milestones: schedule.milestones,
      gamma: schedule.gamma,
      floor: schedule.floor,
    },
    options.stepsPerEpoch,
  );
}
