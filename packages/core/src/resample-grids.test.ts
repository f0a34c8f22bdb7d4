import { describe, expect, it } from 'vitest';
import { RESAMPLE_GRID_FIELDS, resampleGridsInto, type ResampleGridsAttrs } from './resample-grids';
import { createRng } from './rng';

/** The sampling rule written out per output value, in float64. */
function reference(src: Float32Array, [n, h, w, c]: number[], attrs: ResampleGridsAttrs): Float64Array {
  const [outH, outW] = attrs.size;
  const out = new Float64Array(n * outH * outW * c);
  const at = (b: number, y: number, x: number, ch: number): number => src[((b * h + y) * w + x) * c + ch]!;
  for (let b = 0; b < n; b++) {
    const [ro, rs, co, cs, flip] = attrs.grids.slice(b * RESAMPLE_GRID_FIELDS, (b + 1) * RESAMPLE_GRID_FIELDS) as number[];
    for (let y = 0; y < outH; y++) {
      const py = Math.min(Math.max(ro! + y * rs!, 0), h - 1);
      const y0 = Math.floor(py);
      const y1 = Math.min(y0 + 1, h - 1);
      for (let x = 0; x < outW; x++) {
        const k = flip === 1 ? outW - 1 - x : x;
        const px = Math.min(Math.max(co! + k * cs!, 0), w - 1);
        const x0 = Math.floor(px);
        const x1 = Math.min(x0 + 1, w - 1);
        for (let ch = 0; ch < c; ch++) {
          const top = at(b, y0, x0, ch) * (1 - (px - x0)) + at(b, y0, x1, ch) * (px - x0);
          const bottom = at(b, y1, x0, ch) * (1 - (px - x0)) + at(b, y1, x1, ch) * (px - x0);
          const v = top * (1 - (py - y0)) + bottom * (py - y0);
          const i = attrs.layout === 'nhwc' ? ((b * outH + y) * outW + x) * c + ch : ((y * outW + x) * c + ch) * n + b;
          out[i] = v;
        }
      }
    }
  }
  return out;
}

describe('resampleGridsInto', () => {
  const cases: Array<{ shape: [number, number, number, number]; size: [number, number] }> = [
    { shape: [3, 7, 9, 3], size: [5, 6] },
    { shape: [2, 6, 5, 3], size: [11, 13] },
    { shape: [4, 5, 8, 1], size: [4, 4] },
    { shape: [2, 4, 4, 4], size: [6, 3] },
    { shape: [2, 1, 6, 3], size: [2, 4] },
    { shape: [2, 5, 1, 2], size: [3, 2] },
  ];
  for (const { shape, size } of cases) {
    for (const layout of ['nhwc', 'stacked'] as const) {
      it(`matches the float64 rule for ${shape.join('x')} -> ${size.join('x')} (${layout})`, () => {
        const rng = createRng(shape.reduce((a, b) => a * 7 + b, 3));
        const [n, h, w, c] = shape;
        const src = Float32Array.from({ length: n * h * w * c }, () => rng.next());
        const grids: number[] = [];
        for (let b = 0; b < n; b++) {
          // Offsets from before the first pixel to past the last (clamped), shrinking and enlarging steps.
          grids.push(rng.uniform(-0.7, h - 0.5), rng.uniform(0.2, 1.6), rng.uniform(-0.7, w - 0.5), rng.uniform(0.2, 1.6), b % 2);
        }
        const attrs: ResampleGridsAttrs = { grids, size, layout };
        const dst = new Float32Array(n * size[0] * size[1] * c);
        resampleGridsInto(src, dst, shape, attrs);
        const want = reference(src, shape, attrs);
        want.forEach((v, i) => expect(Math.abs(dst[i]! - v)).toBeLessThan(2e-6));
      });
    }
  }

  it('reproduces the source exactly on the identity grid', () => {
    const src = Float32Array.from({ length: 2 * 4 * 5 * 3 }, (_, i) => i / 7);
    const dst = new Float32Array(src.length);
    resampleGridsInto(src, dst, [2, 4, 5, 3], { grids: [0, 1, 0, 1, 0, 0, 1, 0, 1, 0], size: [4, 5], layout: 'nhwc' });
    expect(Array.from(dst)).toEqual(Array.from(src));
  });
});
