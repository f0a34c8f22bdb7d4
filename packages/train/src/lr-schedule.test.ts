import { describe, expect, it } from 'vitest';
import { isContrastiveError } from '@contrastive/core';
import {
  constantSchedule,
  cosineSchedule,
  createLrSchedule,
  multiStepSchedule,
  quantize,
  withWarmup,
} from './index';

function codeOf(fn: () => unknown): [string | undefined, string | undefined] {
  try {
    fn();
  } catch (e) {
    if (isContrastiveError(e)) return [e.code, e.argument];
    throw e;
  }
  return [undefined, undefined];
}

describe('schedule building blocks', () => {
  it('cosine: base at 0, mean of base and floor at half, floor at the end and after', () => {
    const s = cosineSchedule({ base: 0.4, length: 100, floor: 0.1 });
    expect(s(0)).toBeCloseTo(0.4, 12);
    expect(s(50)).toBeCloseTo(0.25, 12);
    expect(s(100)).toBeCloseTo(0.1, 12);
    expect(s(250)).toBeCloseTo(0.1, 12);
    // cos(pi/4): 0.1 + 0.3·0.5·(1 + sqrt(2)/2)
    expect(s(25)).toBeCloseTo(0.1 + 0.15 * (1 + Math.SQRT1_2), 12);
  });

  it('multi-step: MoCo v1 lr 0.03, ×0.1 at epochs 120 and 160', () => {
    const s = multiStepSchedule({ base: 0.03, milestones: [120, 160], gamma: 0.1 });
    expect(s(0)).toBeCloseTo(0.03, 15);
    expect(s(119.9)).toBeCloseTo(0.03, 15);
    expect(s(120)).toBeCloseTo(0.003, 15);
    expect(s(159)).toBeCloseTo(0.003, 15);
    expect(s(160)).toBeCloseTo(0.0003, 15);
    expect(s(199)).toBeCloseTo(0.0003, 15);
  });

  it('warmup then cosine: linear from 0 to the peak, then the cosine shifted', () => {
    const s = withWarmup(cosineSchedule({ base: 1, length: 90 }), { length: 10 });
    expect(s(0)).toBe(0);
    expect(s(5)).toBeCloseTo(0.5, 12);
    expect(s(10)).toBeCloseTo(1, 12);
    expect(s(55)).toBeCloseTo(0.5, 12);
    expect(s(100)).toBeCloseTo(0, 12);
    const fromHalf = withWarmup(constantSchedule(2), { length: 4, startFactor: 0.5 });
    expect(fromHalf(0)).toBe(1);
    expect(fromHalf(2)).toBe(1.5);
    expect(fromHalf(4)).toBe(2);
  });

  it('quantize holds the value within each period', () => {
    const s = quantize((t) => t, 10);
    expect([s(0), s(9.99), s(10), s(25)]).toEqual([0, 0, 10, 20]);
  });

  it('rejects bad options with codes and argument names', () => {
    expect(codeOf(() => cosineSchedule({ base: 1, length: 0 }))).toEqual(['OUT_OF_RANGE', 'length']);
    expect(codeOf(() => cosineSchedule({ base: 1, length: 5, floor: 2 }))).toEqual(['OUT_OF_RANGE', 'floor']);
    expect(codeOf(() => multiStepSchedule({ base: 1, milestones: [5, 3] }))).toEqual(['INVALID_ARGUMENT', 'milestones']);
    expect(codeOf(() => withWarmup(constantSchedule(1), { length: -1 }))).toEqual(['OUT_OF_RANGE', 'length']);
    expect(codeOf(() => constantSchedule(-1))).toEqual(['OUT_OF_RANGE', 'value']);
  });
});

describe('createLrSchedule (paper schedules)', () => {
  it('MoCo v2 --cos: lr·0.5·(1 + cos(pi·e/E)) set once per epoch', () => {
    const spe = 7;
    const lr = createLrSchedule({ base: 0.03, decay: 'cosine', epochs: 200, per: 'epoch' }, spe);
    for (const e of [0, 1, 50, 100, 199]) {
      const expected = 0.03 * 0.5 * (1 + Math.cos((Math.PI * e) / 200));
      expect(lr(e * spe)).toBeCloseTo(expected, 14);
      expect(lr(e * spe + spe - 1)).toBeCloseTo(expected, 14);
    }
  });

  it('SimCLR: 10-epoch linear warmup from 0, then cosine per iteration over the rest', () => {
    const spe = 10;
    const lr = createLrSchedule({ base: 1.2, decay: 'cosine', epochs: 100, per: 'iteration', warmupEpochs: 10 }, spe);
    expect(lr(0)).toBe(0);
    expect(lr(50)).toBeCloseTo(0.6, 12); // half-way through warmup
    expect(lr(100)).toBeCloseTo(1.2, 12); // peak
    expect(lr(100 + 450)).toBeCloseTo(0.6, 12); // half-way through the 900 decay steps
    expect(lr(999)).toBeCloseTo(1.2 * 0.5 * (1 + Math.cos((Math.PI * 899) / 900)), 12);
    expect(lr(101)).toBeLessThan(lr(100));
  });

  it('SiMo: 10 warmup iterations then cosine', () => {
    const lr = createLrSchedule({ base: 0.03, decay: 'cosine', epochs: 2, per: 'iteration', warmupSteps: 10 }, 55);
    expect(lr(5)).toBeCloseTo(0.015, 14);
    expect(lr(10)).toBeCloseTo(0.03, 14);
    expect(lr(60)).toBeCloseTo(0.015, 14); // (110 − 10)/2 steps after warmup
  });

  it('MoCo v1 multi-step per epoch, and constant', () => {
    const lr = createLrSchedule({ base: 0.03, decay: 'multi-step', epochs: 200, per: 'epoch', milestones: [120, 160] }, 4);
    expect(lr(4 * 120 - 1)).toBeCloseTo(0.03, 15);
    expect(lr(4 * 120)).toBeCloseTo(0.003, 15);
    expect(lr(4 * 160 + 3)).toBeCloseTo(0.0003, 15);
    const c = createLrSchedule({ base: 0.5, decay: 'constant', epochs: 3, per: 'iteration' }, 4);
    expect([c(0), c(11)]).toEqual([0.5, 0.5]);
  });

  it('rejects inconsistent configs', () => {
    const base = { base: 1, decay: 'cosine', epochs: 10, per: 'iteration' } as const;
    expect(codeOf(() => createLrSchedule(base, 0))).toEqual(['OUT_OF_RANGE', 'stepsPerEpoch']);
    expect(codeOf(() => createLrSchedule({ ...base, warmupEpochs: 1, warmupSteps: 3 }, 5))).toEqual(['INVALID_ARGUMENT', 'warmupSteps']);
    expect(codeOf(() => createLrSchedule({ ...base, warmupEpochs: 10 }, 5))).toEqual(['OUT_OF_RANGE', 'warmup']);
    expect(codeOf(() => createLrSchedule({ ...base, decay: 'linear' as never }, 5))).toEqual(['INVALID_ARGUMENT', 'decay']);
  });
});
