/**
 * Momentum schedules of the EMA key encoder (spec §0.4).
 */
import { argumentError, assertInRange, assertInteger, assertOneOf } from '@contrastive/core';

/** 'constant': m every step (MoCo, PCL, SiMo). 'cosine': rises from m to 1 (BYOL, MoCo v3). */
export type MomentumScheduleName = 'constant' | 'cosine';

/** A momentum schedule. */
export interface MomentumSchedule {
  /** Base momentum m0 in [0, 1]. */
  momentum: number;
  /** Default 'constant'. */
  schedule?: MomentumScheduleName;
  /** Steps K over which the cosine schedule reaches 1; required for 'cosine'. */
  totalSteps?: number;
}

export const MOMENTUM_SCHEDULES: readonly MomentumScheduleName[] = ['constant', 'cosine'];

/** Validates a schedule once (factories call this); returns it with defaults filled in. */
export function checkMomentumSchedule(fn: string, s: MomentumSchedule): Required<MomentumSchedule> {
  assertInRange(fn, 'momentum', s.momentum, { min: 0, max: 1 });
  const schedule = s.schedule ?? 'constant';
  assertOneOf(fn, 'schedule', schedule, MOMENTUM_SCHEDULES);
  if (schedule === 'cosine') {
    if (s.totalSteps === undefined) {
      throw argumentError('INVALID_ARGUMENT', fn, 'totalSteps', "set when schedule is 'cosine'", 'undefined');
    }
    assertInteger(fn, 'totalSteps', s.totalSteps, 1);
  } else if (s.totalSteps !== undefined) {
    assertInteger(fn, 'totalSteps', s.totalSteps, 1);
  }
  return { momentum: s.momentum, schedule, totalSteps: s.totalSteps ?? 1 };
}

/**
 * The momentum at step k (0-based):
 * - constant: m0;
 * - cosine: 1 - (1 - m0) (cos(pi k / K) + 1) / 2 for k < K, and 1 from K on
 *   (BYOL, Grill et al. 2020, section 3.2; MoCo v3 `adjust_moco_momentum`).
 *
 * @example
 * momentumAt({ momentum: 0.996, schedule: 'cosine', totalSteps: 1000 }, 500); // 0.998
 */
export function momentumAt(s: MomentumSchedule, step: number): number {
  const fn = 'momentumAt';
  const checked = checkMomentumSchedule(fn, s);
  assertInteger(fn, 'step', step, 0);
  if (checked.schedule === 'constant') return checked.momentum;
  if (step >= checked.totalSteps) return 1;
  return 1 - ((1 - checked.momentum) * (Math.cos((Math.PI * step) / checked.totalSteps) + 1)) / 2;
}
