import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pilAxisTaps, pilFilterWeight, pilResizedCrop, type PilFilter } from './pil-resample';

interface Vectors {
  width: number;
  height: number;
  pixels: string;
  cases: { filter: PilFilter; box: [number, number, number, number]; size: [number, number]; bytes: string }[];
}
const vectors = JSON.parse(readFileSync(new URL('./__fixtures__/pil-resized-crop.json', import.meta.url), 'utf8')) as Vectors;
const source = new Uint8Array(Buffer.from(vectors.pixels, 'base64'));

describe('pilResizedCrop', () => {
  it.each(vectors.cases.map((c) => [`${c.filter} box ${c.box.join(',')} -> ${c.size.join('x')}`, c] as const))(
    "equals Pillow's crop().resize() bytes: %s",
    (_, c) => {
      const [top, left, height, width] = c.box;
      const [oh, ow] = c.size;
      const out = new Uint8Array(oh * ow * 3 + 5).fill(7);
      pilResizedCrop(source, vectors.width, { top, left, height, width }, oh, ow, c.filter, out, 2);
      expect(Array.from(out.subarray(2, 2 + oh * ow * 3))).toEqual(Array.from(Buffer.from(c.bytes, 'base64')));
      expect([out[0], out[1], out[out.length - 3], out[out.length - 1]]).toEqual([7, 7, 7, 7]);
    },
  );

  it('weights of each output pixel sum to one in 22-bit fixed point (within rounding), taps inside the input', () => {
    for (const filter of ['linear', 'cubic', 'lanczos3'] as const) {
      for (const [inSize, outSize] of [[433, 224], [106, 224], [224, 224], [7, 3]] as const) {
        const t = pilAxisTaps(inSize, outSize, filter);
        for (let o = 0; o < outSize; o++) {
          let sum = 0;
          for (let j = 0; j < t.count[o]!; j++) sum += t.weights[o * t.taps + j]!;
          expect(Math.abs(sum - 4194304)).toBeLessThanOrEqual(t.taps);
          expect(t.first[o]!).toBeGreaterThanOrEqual(0);
          expect(t.first[o]! + t.count[o]!).toBeLessThanOrEqual(inSize);
        }
      }
    }
  });

  it("filters: Pillow's triangle, Keys cubic (a = -0.5), Lanczos-3", () => {
    expect(pilFilterWeight('linear', -0.25)).toBe(0.75);
    expect(pilFilterWeight('linear', 1)).toBe(0);
    expect(pilFilterWeight('cubic', 0)).toBe(1);
    expect(pilFilterWeight('cubic', 1.5)).toBeCloseTo(-0.0625, 15);
    expect(pilFilterWeight('lanczos3', 0)).toBe(1);
    expect(pilFilterWeight('lanczos3', 0.5)).toBeCloseTo((Math.sin(Math.PI / 2) / (Math.PI / 2)) * (Math.sin(Math.PI / 6) / (Math.PI / 6)), 15);
    expect(pilFilterWeight('lanczos3', 3)).toBe(0);
  });
});
