import { describe, expect, it } from 'vitest';
import { columnMajorPlanarToHwc, planarToHwc } from './layout';

describe('layout conversions', () => {
  // A 2x3 image (H=2, W=3) with 2 channels; value = 100c + 10y + x.
  const hwc = Uint8Array.from({ length: 12 }, (_, i) => {
    const c = i % 2;
    const x = Math.floor(i / 2) % 3;
    const y = Math.floor(i / 6);
    return 100 * c + 10 * y + x;
  });

  it('planarToHwc reads row-major channel planes', () => {
    const planar = Uint8Array.from([0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112]);
    const out = new Uint8Array(12);
    planarToHwc(planar, out, [2, 3, 2]);
    expect(Array.from(out)).toEqual(Array.from(hwc));
  });

  it('columnMajorPlanarToHwc reads column-major channel planes', () => {
    const planar = Uint8Array.from([0, 10, 1, 11, 2, 12, 100, 110, 101, 111, 102, 112]);
    const out = new Uint8Array(12);
    columnMajorPlanarToHwc(planar, out, [2, 3, 2]);
    expect(Array.from(out)).toEqual(Array.from(hwc));
  });
});
