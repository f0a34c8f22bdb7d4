import { describe, expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import { thrownCode } from '@contrastive/test-utils/reference/infonce';
import { prototypeColumns } from './index';

describe('prototypeColumns', () => {
  const assignment = Int32Array.from([4, 1, 4, 7]);

  it('gives each distinct positive one column with the dedupe fix', () => {
    const c = prototypeColumns('f', assignment, 10, 3, true, createRng(1));
    expect(c.positives).toBe(3);
    expect(Array.from(c.columns.subarray(0, 3))).toEqual([4, 1, 7]);
    expect(Array.from(c.targets)).toEqual([0, 1, 0, 2]);
  });

  it('reproduces the official layout without it: column b is row b\'s prototype', () => {
    const c = prototypeColumns('f', assignment, 10, 3, false, createRng(1));
    expect(c.positives).toBe(4);
    expect(Array.from(c.columns.subarray(0, 4))).toEqual([4, 1, 4, 7]);
    expect(Array.from(c.targets)).toEqual([0, 1, 2, 3]);
  });

  it('samples distinct unassigned ids, the last id included, reproducibly per seed', () => {
    const seen = new Set<number>();
    for (let seed = 0; seed < 200; seed++) {
      const c = prototypeColumns('f', assignment, 10, 4, true, createRng(seed));
      const negatives = Array.from(c.columns.subarray(3));
      expect(new Set(negatives).size).toBe(4);
      for (const id of negatives) {
        expect([1, 4, 7]).not.toContain(id);
        expect(id).toBeGreaterThanOrEqual(0);
        expect(id).toBeLessThan(10);
        seen.add(id);
      }
    }
    // Every one of the 7 unassigned ids, 9 (the last, spec §2(e)2) included, is drawn.
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 2, 3, 5, 6, 8, 9]);
    const a = prototypeColumns('f', assignment, 10, 4, true, createRng(5));
    const b = prototypeColumns('f', assignment, 10, 4, true, createRng(5));
    expect(Array.from(a.columns)).toEqual(Array.from(b.columns));
    // r equal to the whole pool takes every unassigned id.
    const all = prototypeColumns('f', assignment, 10, 7, true, createRng(3));
    expect(Array.from(all.columns.subarray(3)).sort((x, y) => x - y)).toEqual([0, 2, 3, 5, 6, 8, 9]);
  });

  it('draws the same negatives as rng.sampleWithoutReplacement over the unassigned ids', () => {
    for (const [k, r] of [[10, 7], [50, 20], [1000, 600]] as const) {
      for (let seed = 0; seed < 5; seed++) {
        const c = prototypeColumns('f', assignment, k, r, true, createRng(seed));
        const pool = Array.from({ length: k }, (_, id) => id).filter((id) => ![1, 4, 7].includes(id));
        const picks = createRng(seed).sampleWithoutReplacement(pool.length, r);
        expect(Array.from(c.columns.subarray(3))).toEqual(Array.from(picks, (i) => pool[i]));
      }
    }
  });

  it('throws OUT_OF_RANGE when r exceeds the unassigned prototypes', () => {
    expect(thrownCode(() => prototypeColumns('f', assignment, 10, 8, true, createRng(1)))).toEqual({
      code: 'OUT_OF_RANGE',
      argument: 'negativePrototypes',
    });
  });
});
