/**
 * Learning-rate schedules as pure functions of a position `t` (an iteration
 * index or an epoch, possibly fractional). Building blocks compose:
 * `withWarmup(cosineSchedule(...), {length})`, `quantize(schedule, period)`.
 * {@link createLrSchedule} builds the paper schedules from a JSON-able config.
 */
import { argumentError, assertInRange, assertInteger, assertNonNegative, assertPositive } from '@contrastive/core';

/** A schedule: position (>= 0) to learning rate. */
export type Schedule = (t: number) => number;

/** Always `value`. */
export function constantSchedule(value: number): Schedule {
  assertNonNegative('constantSchedule', 'value', value);
  return () => value;
}

/**
 * Half-cosine from `base` at t = 0 to `floor` at t = `length`, constant after:
 * lr = floor + (base − floor)·0.5·(1 + cos(pi·min(t, length)/length)).
 * MoCo v2: floor 0, t = epoch, length = epochs. SimCLR: TF `cosine_decay` (alpha 0).
 */
export function cosineSchedule(options: { base: number; length: number; floor?: number }): Schedule {
  const fn = 'cosineSchedule';
  const { base, length, floor = 0 } = options;
  assertNonNegative(fn, 'base', base);
  assertPositive(fn, 'length', length);
  assertInRange(fn, 'floor', floor, { min: 0, max: base });
  return (t) => floor + (base - floor) * 0.5 * (1 + Math.cos((Math.PI * Math.min(Math.max(t, 0), length)) / length));
}

/**
 * `base · gamma^(number of milestones <= t)` (PyTorch `MultiStepLR`).
 * MoCo v1: milestones [120, 160] epochs, gamma 0.1.
 */
export function multiStepSchedule(options: { base: number; milestones: readonly number[]; gamma?: number }): Schedule {
  const fn = 'multiStepSchedule';
  const { base, milestones, gamma = 0.1 } = options;
  assertNonNegative(fn, 'base', base);
  assertPositive(fn, 'gamma', gamma);
  if (!Array.isArray(milestones) || milestones.some((m, i) => !(m >= 0) || (i > 0 && m < milestones[i - 1]!))) {
    throw argumentError('INVALID_ARGUMENT', fn, 'milestones', 'non-negative numbers in increasing order', JSON.stringify(milestones));
  }
  return (t) => base * Math.pow(gamma, milestones.filter((m) => m <= t).length);
}

/**
 * Linear warmup for `length`, then `after` shifted to start at the end of warmup:
 * t < length: after(0)·(startFactor + (1 − startFactor)·t/length); else after(t − length).
 * SimCLR: startFactor 0 (lr = base·step/warmup_steps), `after` = cosine over the remaining steps.
 */
export function withWarmup(after: Schedule, options: { length: number; startFactor?: number }): Schedule {
  const fn = 'withWarmup';
  const { length, startFactor = 0 } = options;
  assertNonNegative(fn, 'length', length);
  assertInRange(fn, 'startFactor', startFactor, { min: 0, max: 1 });
  if (length === 0) return after;
  const peak = after(0);
  return (t) => (t < length ? peak * (startFactor + ((1 - startFactor) * Math.max(t, 0)) / length) : after(t - length));
}

/** Holds the value constant within each period: t ↦ schedule(floor(t / period)·period). */
export function quantize(schedule: Schedule, period: number): Schedule {
  assertPositive('quantize', 'period', period);
  return (t) => schedule(Math.floor(t / period) * period);
}

/** JSON-able description of a paper schedule (what app configs store). */
export interface LrScheduleConfig {
  /** Peak learning rate (after warmup). */
  base: number;
  /** Decay after warmup. */
  decay: 'constant' | 'cosine' | 'multi-step';
  /** Total training length in epochs. */
  epochs: number;
  /** When the rate changes: every iteration (SimCLR, SiMo, lightly) or once per epoch (MoCo v2 `--cos`, MoCo v1 steps). */
  per: 'iteration' | 'epoch';
  /** Warmup length in epochs (SimCLR 10). Default 0. Exclusive with `warmupSteps`. */
  warmupEpochs?: number;
  /** Warmup length in iterations (SiMo 10). Default 0. */
  warmupSteps?: number;
  /** Warmup starts at base·warmupStartFactor. Default 0 (SimCLR). */
  warmupStartFactor?: number;
  /** Cosine floor. Default 0. */
  floor?: number;
  /** Multi-step milestones in epochs (MoCo v1 [120, 160]). */
  milestones?: readonly number[];
  /** Multi-step factor. Default 0.1. */
  gamma?: number;
}

/**
 * Builds `lr(step)` for a global 0-based iteration index from a config and the
 * number of iterations per epoch. Internally everything is measured in
 * iterations: the decay runs over the iterations after warmup; multi-step
 * milestones stay at their absolute epochs.
 */
export function createLrSchedule(config: LrScheduleConfig, stepsPerEpoch: number): Schedule {
  const fn = 'createLrSchedule';
  assertInteger(fn, 'stepsPerEpoch', stepsPerEpoch, 1);
  assertPositive(fn, 'epochs', config.epochs);
  if (config.warmupEpochs !== undefined && config.warmupSteps !== undefined) {
    throw argumentError('INVALID_ARGUMENT', fn, 'warmupSteps', 'absent when warmupEpochs is given', String(config.warmupSteps));
  }
  if (config.per !== 'iteration' && config.per !== 'epoch') {
    throw argumentError('INVALID_ARGUMENT', fn, 'per', "'iteration' or 'epoch'", String(config.per));
  }
  const total = config.epochs * stepsPerEpoch;
  const warmup = config.warmupSteps ?? Math.round((config.warmupEpochs ?? 0) * stepsPerEpoch);
  assertInRange(fn, 'warmup', warmup, { min: 0, max: total, maxExclusive: true });
  let after: Schedule;
  switch (config.decay) {
    case 'constant':
      after = constantSchedule(config.base);
      break;
    case 'cosine':
      after = cosineSchedule({ base: config.base, length: total - warmup, floor: config.floor ?? 0 });
      break;
    case 'multi-step':
      after = multiStepSchedule({
        base: config.base,
        milestones: (config.milestones ?? []).map((m) => Math.max(0, m * stepsPerEpoch - warmup)),
        gamma: config.gamma ?? 0.1,
      });
      break;
    default:
      throw argumentError('INVALID_ARGUMENT', fn, 'decay', "'constant', 'cosine' or 'multi-step'", String(config.decay));
  }
  const schedule = withWarmup(after, { length: warmup, startFactor: config.warmupStartFactor ?? 0 });
  return config.per === 'epoch' ? quantize(schedule, stepsPerEpoch) : schedule;
}
