import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pilAxisTaps, pilCropViews, pilCropViewsWasm, pilFilterWeight, pilResampleWasm, pilResizedCrop, type PilFilter } from './pil-resample';
import { PIL_RESAMPLE_WASM_BASE64 } from './pil-resample-wasm';

interface Vectors {
  width: number;
  height: number;
  pixels: string;
  cases: { filter: PilFilter; box: [number, number, number, number]; size: [number, number]; bytes: string }[];
}
const vectors = JSON.parse(readFileSync(new URL('./__fixtures__/pil-resized-crop.json', import.meta.url), 'utf8')) as Vectors;
const source = new Uint8Array(Buffer.from(vectors.pixels, 'base64'));
const wasm = pilResampleWasm(PIL_RESAMPLE_WASM_BASE64);

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
      // The WebAssembly passes, the same box twice (the second view follows the first's spill).
      const message = { id: 0, pixels: source, width: vectors.width, boxes: Int32Array.of(top, left, height, width, top, left, height, width), outHeight: oh, outWidth: ow, filter: c.filter };
      const views = pilCropViewsWasm(message, wasm!);
      expect(Array.from(views)).toEqual([...Array.from(out.subarray(2, 2 + oh * ow * 3)), ...Array.from(out.subarray(2, 2 + oh * ow * 3))]);
    },
  );

  it('the WebAssembly SIMD passes give the JavaScript bytes on photograph-sized boxes, at the image edges, for every filter', () => {
    expect(wasm).toBeDefined();
    const [h, w] = [375, 500];
    const pixels = new Uint8Array(h * w * 3).map((_, i) => (i * 2654435761) >>> 24);
    const boxes = [
      [0, 0, 375, 500], // the whole image: shrink both ways
      [10, 20, 106, 120], // enlarge
      [5, 7, 224, 300], // vertical pass only
      [3, 3, 300, 224], // horizontal pass only
      [100, 200, 224, 224], // neither: a copy
      [50, 276, 325, 224], // right edge
      [0, 499, 375, 1], // one column at the last pixel
      [374, 0, 1, 500], // the last row
    ];
    for (const filter of ['linear', 'cubic', 'lanczos3'] as const) {
      for (const [oh, ow] of [[224, 224], [37, 53]]) {
        const message = { id: 0, pixels, width: w, boxes: Int32Array.from(boxes.flat()), outHeight: oh!, outWidth: ow!, filter };
        const js = pilCropViews(message, { buffer: new Uint8Array(0) });
        expect(Buffer.from(pilCropViewsWasm(message, wasm!)).equals(Buffer.from(js)), `${filter} ${oh}x${ow}`).toBe(true);
      }
    }
    expect(() => pilCropViewsWasm({ id: 0, pixels, width: w, boxes: Int32Array.of(300, 0, 100, 10), outHeight: 4, outWidth: 4, filter: 'linear' }, wasm!)).toThrow(
      /outside the 375x500 image/,
    );
  });

  it('pil-resample-wasm.ts holds pil-resample.wat as assembled by npm run build:wasm', () => {
    const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
    const check = spawnSync('npm', ['run', 'build:wasm', '--', '--check'], { cwd: packageDir, encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
  });

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
