import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEAP_PASSES, type HeapPassName } from '../wasm/heap-pass-runner';
import { startHeapWorkers, type HeapWorkerPool } from './heap-workers';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A deterministic 32-bit pattern per index (any bits: NaN payloads included when read as float32). */
function pattern(i: number, salt: number): number {
  return Math.imul(i + 1 + salt * 7919, 2654435761) | 0;
}

/** Float32 values in [-2, 2) on a grid of 1/64 per index: sums of many are exact in neither order. */
function floats(i: number, salt: number): number {
  return (((pattern(i, salt) >>> 7) % 4096) - 2048) / 1024 + 1 / 3;
}

interface Case {
  name: string;
  pass: HeapPassName;
  srcLength: number;
  dstLength: number;
  params: number[];
}

/** `[kh, kw, sh, sw, dh, dw, padTop, padLeft, oh, ow, h, w, c, first, count, total, minRun]`, lengths. */
function im2colCase(name: string, pass: 'im2colChannelMajor' | 'im2colBatchInner', g: { k: number; s: number; d: number; pad: number; h: number; w: number; c: number; first: number; count: number; total: number }): Case {
  const span = (g.k - 1) * g.d + 1;
  const oh = Math.floor((g.h + 2 * g.pad - span) / g.s) + 1;
  const ow = Math.floor((g.w + 2 * g.pad - span) / g.s) + 1;
  return {
    name,
    pass,
    srcLength: g.c * g.total * g.h * g.w,
    dstLength: g.k * g.k * g.c * g.count * oh * ow,
    params: [g.k, g.k, g.s, g.s, g.d, g.d, g.pad, g.pad, oh, ow, g.h, g.w, g.c, g.first, g.count, g.total, 24],
  };
}

const CASES: Case[] = [
  im2colCase('channel-major 3x3 s1 same, 32x32 planes', 'im2colChannelMajor', { k: 3, s: 1, d: 1, pad: 1, h: 32, w: 32, c: 5, first: 1, count: 3, total: 5 }),
  im2colCase('channel-major 3x3 s2 pad 1, 9x11 planes', 'im2colChannelMajor', { k: 3, s: 2, d: 1, pad: 1, h: 9, w: 11, c: 4, first: 0, count: 6, total: 6 }),
  im2colCase('channel-major 3x3 dilation 2, 10x10', 'im2colChannelMajor', { k: 3, s: 1, d: 2, pad: 2, h: 10, w: 10, c: 3, first: 2, count: 2, total: 4 }),
  im2colCase('batch-inner 3x3 s2 pad 1, 8x8', 'im2colBatchInner', { k: 3, s: 2, d: 1, pad: 1, h: 8, w: 8, c: 6, first: 3, count: 29, total: 40 }),
  im2colCase('batch-inner 1x1 s2, 7x7', 'im2colBatchInner', { k: 1, s: 2, d: 1, pad: 0, h: 7, w: 7, c: 16, first: 0, count: 8, total: 8 }),
  { name: 'dy rows, channel-major order', pass: 'dyRows', srcLength: 9 * 20 * 24, dstLength: 4 * 20 * 24, params: [0, 3, 4, 20, 24] },
  { name: 'dy rows, batch-inner order', pass: 'dyRows', srcLength: 9 * 20 * 24, dstLength: 5 * 20 * 24, params: [1, 4, 5, 20, 24] },
  { name: 'transpose [2, 300, 70] (r >= c)', pass: 'swapMiddleAxes', srcLength: 2 * 300 * 70, dstLength: 2 * 300 * 70, params: [2, 300, 70, 1, 16] },
  { name: 'transpose [1, 45, 333] (r < c)', pass: 'swapMiddleAxes', srcLength: 45 * 333, dstLength: 45 * 333, params: [1, 45, 333, 1, 16] },
  { name: 'swap [3, 17, 29, 5]', pass: 'swapMiddleAxes', srcLength: 3 * 17 * 29 * 5, dstLength: 3 * 17 * 29 * 5, params: [3, 17, 29, 5, 16] },
  // [h, w, cin, oh, ow, kh, kw, sh, sw, padTop, padLeft, first, count]: dx [n=4, 9, 9, cin]
  { name: 'col2im 3x3 s2, 67 channels', pass: 'col2imAdd', srcLength: 2 * 5 * 5 * 9 * 67, dstLength: 4 * 9 * 9 * 67, params: [9, 9, 67, 5, 5, 3, 3, 2, 2, 1, 1, 1, 2] },
  { name: 'col2im 3x3 s1, 3 channels', pass: 'col2imAdd', srcLength: 3 * 9 * 9 * 9 * 3, dstLength: 4 * 9 * 9 * 3, params: [9, 9, 3, 9, 9, 3, 3, 1, 1, 1, 1, 0, 3] },
  { name: 'copy range', pass: 'copyRange', srcLength: 5000, dstLength: 3333, params: [1001] },
  { name: 'fill with a float32 pattern', pass: 'fill', srcLength: 1, dstLength: 4099, params: [new Int32Array(Float32Array.of(-1.25).buffer)[0] as number] },
];

/** The JavaScript pass's output on a private ArrayBuffer: the reference. */
function javascriptOutput(c: Case, src: Int32Array, dst: Int32Array): Int32Array {
  const bytes = new ArrayBuffer(4 * (c.srcLength + c.dstLength));
  const s = new Int32Array(bytes, 0, c.srcLength);
  const d = new Int32Array(bytes, 4 * c.srcLength, c.dstLength);
  s.set(src);
  d.set(dst);
  const pass = HEAP_PASSES[c.pass];
  const run = pass.fn as unknown as (a: Int32Array | Float32Array, b: Int32Array | Float32Array, q: number[], part: number, parts: number) => void;
  if (pass.float) run(new Float32Array(bytes, 0, c.srcLength), new Float32Array(bytes, 4 * c.srcLength, c.dstLength), c.params, 0, 1);
  else run(s, d, c.params, 0, 1);
  return d;
}

describe('heap workers (the heap passes in WebAssembly on shared memory, split across threads)', () => {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
  let pool: HeapWorkerPool;

  beforeAll(async () => {
    const started = await startHeapWorkers(memory, 2);
    if (!('pool' in started)) throw new Error(started.failure);
    pool = started.pool;
    expect(pool.threads).toBe(3);
  });

  afterAll(() => pool.close());

  it('heap-passes-wasm.ts holds heap-passes.wat as assembled by npm run build:wasm', () => {
    const check = spawnSync('npm', ['run', 'build:wasm', '--', '--check'], { cwd: packageDir, encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
  });

  for (const c of CASES) {
    it(`${c.name}: every WebAssembly piece, split or whole, writes the JavaScript pass's bytes`, () => {
      // Source at element 100, target after a gap, both inside the first 64 pages.
      const srcAt = 100;
      const dstAt = srcAt + c.srcLength + 37;
      const heap = new Int32Array(memory.buffer);
      const fheap = new Float32Array(memory.buffer);
      const float = HEAP_PASSES[c.pass].float;
      const fill = (salt: number): void => {
        for (let i = 0; i < c.srcLength; i++) {
          if (float) fheap[srcAt + i] = floats(i, salt);
          else heap[srcAt + i] = pattern(i, salt);
        }
        // The target starts as garbage (or, for col2im, as the sums so far).
        for (let i = 0; i < c.dstLength; i++) {
          if (float) fheap[dstAt + i] = floats(i, salt + 1);
          else heap[dstAt + i] = pattern(i, salt + 1);
        }
      };
      fill(1);
      const expected = javascriptOutput(c, heap.slice(srcAt, srcAt + c.srcLength), heap.slice(dstAt, dstAt + c.dstLength));
      const args = [srcAt, c.srcLength, dstAt, c.dstLength, ...c.params];
      for (const split of [true, false]) {
        fill(1);
        pool.run(HEAP_PASSES[c.pass].id, args, split);
        expect(Array.from(heap.subarray(dstAt, dstAt + c.dstLength)), `split ${split}`).toEqual(Array.from(expected));
      }
    });
  }

  it('writes nothing outside the target', () => {
    const c = CASES[0] as Case;
    const heap = new Int32Array(memory.buffer);
    const dstAt = 200_000;
    heap.fill(-7, dstAt - 64, dstAt + c.dstLength + 64);
    pool.run(HEAP_PASSES[c.pass].id, [100, c.srcLength, dstAt, c.dstLength, ...c.params], true);
    expect(Array.from(heap.subarray(dstAt - 64, dstAt))).toEqual(new Array(64).fill(-7));
    expect(Array.from(heap.subarray(dstAt + c.dstLength, dstAt + c.dstLength + 64))).toEqual(new Array(64).fill(-7));
  });

  it('sees the memory grow (workers refresh their view of the shared heap)', () => {
    const before = memory.buffer.byteLength;
    memory.grow(16);
    const heap = new Int32Array(memory.buffer);
    const length = 4096;
    const srcAt = before / 4 + 10;
    const dstAt = srcAt + length;
    for (let i = 0; i < length; i++) heap[srcAt + i] = pattern(i, 5);
    pool.run(HEAP_PASSES.copyRange.id, [srcAt, length, dstAt, length, 0], true);
    expect(Array.from(heap.subarray(dstAt, dstAt + length))).toEqual(Array.from(heap.subarray(srcAt, srcAt + length)));
  });

  it('a pass that traps (target beyond the heap) throws, and the pool keeps working', () => {
    const beyond = memory.buffer.byteLength / 4 + 1000;
    expect(() => pool.run(HEAP_PASSES.copyRange.id, [0, 10_000, beyond, 10_000, 0], true)).toThrow();
    const heap = new Int32Array(memory.buffer);
    heap.fill(9, 0, 64);
    pool.run(HEAP_PASSES.copyRange.id, [0, 64, 1000, 64, 0], true);
    expect(Array.from(heap.subarray(1000, 1064))).toEqual(new Array(64).fill(9));
  });

  it('rejects more arguments than the control block holds', () => {
    expect(() => pool.run(0, new Array(49).fill(0), true)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'args' }));
  });

  it('after close, passes run whole on the calling thread with the same bytes', async () => {
    const started = await startHeapWorkers(memory, 1);
    if (!('pool' in started)) throw new Error(started.failure);
    const closed = started.pool;
    closed.close();
    const c = CASES[3] as Case;
    const heap = new Int32Array(memory.buffer);
    for (let i = 0; i < c.srcLength; i++) heap[100 + i] = pattern(i, 3);
    const expected = javascriptOutput(c, heap.slice(100, 100 + c.srcLength), new Int32Array(c.dstLength));
    closed.run(HEAP_PASSES[c.pass].id, [100, c.srcLength, 300_000, c.dstLength, ...c.params], true);
    expect(Array.from(heap.subarray(300_000, 300_000 + c.dstLength))).toEqual(Array.from(expected));
  });
});
