import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { RESAMPLE_GRIDS_KERNEL } from '@contrastive/core';
import { setBackend, WASM_THREADS_ENV } from '../select-backend';
import { HEAP_PASSES, heapWorkersOf, setMinSplitElements, type HeapPassName, type HeapWorkers } from '../wasm/heap-pass-runner';
import { loadThreadedWasmModule } from './threaded-wasm-module';
import { registeredWasmThreads, useWasmThreads } from './wasm-thread-pool';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..', '..');

/** The wasm module behind the active backend. */
function activeModule(): { PThread?: unknown; HEAPU8: Uint8Array } {
  return (tf.backend() as unknown as { wasm: { PThread?: unknown; HEAPU8: Uint8Array } }).wasm;
}

/** Float32 rounding: |a - b| <= 1e-6 + 1e-5 |b| (sums reassociated across threads would differ by a few ulps). */
function maxRelativeGap(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    const gap = Math.abs((a[i] as number) - (b[i] as number)) - 1e-5 * Math.abs(b[i] as number);
    worst = Math.max(worst, gap);
  }
  return worst;
}

type Outputs = Map<string, Float32Array>;

/**
 * A ResNet-18 (CIFAR stem: conv3x3 s1, no max pool; stages [2, 2, 2, 2] of basic
 * blocks, widths w, 2w, 4w, 8w, strides 1, 2, 2, 2, 1x1 projection shortcuts)
 * at width 4 on 8x8 inputs: the layers and kernels of the real one, small.
 */
function resnet18Step(batch: number, width: number): { loss: tf.Scalar; grads: tf.Tensor[] } {
  let seed = 100;
  const weight = (shape: number[]): tf.Variable =>
    tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / shape.slice(0, -1).reduce((a, b) => a * b, 1)), 'float32', seed++));
  const vars: tf.Variable[] = [];
  const conv = (cin: number, cout: number, k: number): tf.Variable => {
    const w = weight([k, k, cin, cout]);
    vars.push(w);
    return w;
  };
  /** Train-mode batch norm with trainable scale and offset (started away from 1 and 0). */
  const bn = (channels: number): ((x: tf.Tensor4D) => tf.Tensor4D) => {
    const gamma = tf.variable(tf.add(1, tf.mul(0.1, tf.randomNormal([channels], 0, 1, 'float32', seed++))));
    const beta = tf.variable(tf.mul(0.1, tf.randomNormal([channels], 0, 1, 'float32', seed++)));
    vars.push(gamma, beta);
    return (x) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm(x, mean, variance, beta, gamma, 1e-5) as tf.Tensor4D;
    };
  };
  const layers: ((x: tf.Tensor4D) => tf.Tensor4D)[] = [];
  const stem = conv(3, width, 3);
  const stemNorm = bn(width);
  let cin = width;
  for (const [stage, stride] of [[1, 1], [2, 2], [4, 2], [8, 2]] as const) {
    const cout = width * stage;
    for (let block = 0; block < 2; block++) {
      const s = block === 0 ? stride : 1;
      const c1 = conv(cin, cout, 3);
      const n1 = bn(cout);
      const c2 = conv(cout, cout, 3);
      const n2 = bn(cout);
      const proj = s !== 1 || cin !== cout ? { conv: conv(cin, cout, 1), norm: bn(cout) } : undefined;
      layers.push((x) => {
        const h = tf.relu(n1(tf.conv2d(x, c1 as tf.Tensor4D, s, 'same')));
        const y = n2(tf.conv2d(h as tf.Tensor4D, c2 as tf.Tensor4D, 1, 'same'));
        const shortcut = proj === undefined ? x : proj.norm(tf.conv2d(x, proj.conv as tf.Tensor4D, s, 'same'));
        return tf.relu(tf.add(y, shortcut)) as tf.Tensor4D;
      });
      cin = cout;
    }
  }
  const fc = weight([cin, 10]);
  vars.push(fc);
  const x = tf.randomNormal([batch, 8, 8, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10);
  const { value, grads } = tf.variableGrads(() => {
    let h = tf.relu(stemNorm(tf.conv2d(x, stem as tf.Tensor4D, 1, 'same'))) as tf.Tensor4D;
    for (const layer of layers) h = layer(h);
    return tf.losses.softmaxCrossEntropy(labels, tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, fc));
  }, vars);
  const ordered = vars.map((v) => grads[v.name] as tf.Tensor);
  tf.dispose([x, labels, ...vars]);
  return { loss: value, grads: ordered };
}

/** Forward values and gradients of the training kernels, from seeded inputs, on the active backend. */
async function trainingKernelOutputs(): Promise<Outputs> {
  const results = tf.tidy(() => {
    const r = (shape: number[], seed: number): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed);
    const out: Record<string, tf.Tensor> = {};
    const a = r([96, 70], 1);
    const b = r([70, 130], 2);
    out['matMul'] = tf.matMul(a, b);
    const [dA, dB] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.matMul(p, q, false, true))))([a, r([50, 70], 3)]);
    out['matMul dA (transposed b)'] = dA as tf.Tensor;
    out['matMul dB (transposed b)'] = dB as tf.Tensor;
    out['batched matMul'] = tf.matMul(r([4, 33, 40], 4), r([4, 40, 27], 5));
    const x = r([6, 11, 13, 5], 6);
    for (const stride of [1, 2] as const) {
      const f = r([3, 3, 5, 7], 7 + stride);
      out[`conv2d s${stride}`] = tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, stride, 'same');
      const [dx, df] = tf.grads((p: tf.Tensor, q: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, stride, 'same'), tf.cos(tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, stride, 'same')))),
      )([x, f]);
      out[`Conv2DBackpropInput s${stride}`] = dx as tf.Tensor;
      out[`Conv2DBackpropFilter s${stride}`] = df as tf.Tensor;
    }
    const dwf = r([3, 3, 5, 2], 12);
    const [ddx, ddf] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.depthwiseConv2d(p as tf.Tensor4D, q as tf.Tensor4D, 2, 'same'))))([x, dwf]);
    out['depthwise backprop input'] = ddx as tf.Tensor;
    out['depthwise backprop filter'] = ddf as tf.Tensor;
    const table = r([40, 9], 13);
    const ids = tf.tensor1d([3, 0, 39, 3, 17, 3, 8], 'int32');
    out['GatherV2'] = tf.gather(table, ids);
    out['UnsortedSegmentSum (gather gradient)'] = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, ids))))(table);
    out['Transpose'] = tf.transpose(r([9, 17, 6], 14), [1, 0, 2]);
    out['Sum over leading axes'] = tf.sum(x, [0, 1, 2]);
    out['Mean gradient'] = tf.grad((t: tf.Tensor) => tf.mean(tf.square(t), [0, 1]))(x);
    out['Tile'] = tf.tile(r([1, 3, 1, 4], 15), [5, 1, 2, 1]);
    out['Slice'] = tf.slice(x, [1, 2, 3, 0], [3, 5, 7, 4]);
    out['Fill float32'] = tf.fill([70, 1000], -1.25);
    out['Fill int32'] = tf.cast(tf.fill([3, 5], 7.9, 'int32'), 'float32');
    out['ContrastiveResampleGrids'] = tf.engine().runKernel(
      RESAMPLE_GRIDS_KERNEL,
      { images: tf.sigmoid(tf.slice(x, [0, 0, 0, 0], [2, 11, 13, 3])) },
      { grids: [-0.2, 0.9, 0.1, 1.2, 1, 0.3, 0.6, 0.1, 0.8, 0], size: [6, 5], layout: 'nhwc' } as unknown as tf.NamedAttrMap,
    ) as tf.Tensor;
    return out;
  });
  const step = resnet18Step(12, 4);
  results['ResNet-18 step loss'] = step.loss;
  step.grads.forEach((g, i) => (results[`ResNet-18 step gradient ${i}`] = g));
  const outputs: Outputs = new Map();
  for (const [name, t] of Object.entries(results)) outputs.set(name, (await t.data()) as Float32Array);
  tf.dispose(Object.values(results));
  return outputs;
}

describe('wasm threads (XNNPACK pool on worker_threads)', () => {
  afterAll(async () => {
    await setBackend('wasm', { threads: 1 });
  });

  let single: Outputs;

  it('threads: 1 is tfjs\'s own single-threaded SIMD build, as before the option existed', async () => {
    const choice = await setBackend('wasm', { threads: 1 });
    expect(choice.threads).toBe(1);
    expect(choice.reason).toBe('wasm (XNNPACK, SIMD, 1 thread) with training kernels');
    expect(registeredWasmThreads()).toBe(1);
    expect(activeModule().PThread).toBeUndefined();
    expect(activeModule().HEAPU8.buffer).toBeInstanceOf(ArrayBuffer);
    single = await trainingKernelOutputs();
  });

  it('threads: 2 runs a 2-thread XNNPACK pool on shared memory, within float32 rounding of one thread', async () => {
    const choice = await setBackend('wasm', { threads: 2 });
    expect(choice.threads).toBe(2);
    expect(choice.reason).toBe('wasm (XNNPACK, SIMD, 2 threads) with training kernels');
    expect(activeModule().PThread).toBeDefined();
    expect(activeModule().HEAPU8.buffer).toBeInstanceOf(SharedArrayBuffer);
    const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
    expect(getThreadsCount()).toBe(2);
    const threaded = await trainingKernelOutputs();
    expect([...threaded.keys()]).toEqual([...single.keys()]);
    for (const [name, values] of single) {
      const other = threaded.get(name) as Float32Array;
      expect(other.length, name).toBe(values.length);
      expect(maxRelativeGap(other, values), name).toBeLessThanOrEqual(1e-6);
    }
  });

  it('threads: 2 with every heap pass split between the calling thread and the heap worker gives the same numbers', async () => {
    await setBackend('wasm', { threads: 2 });
    const pool = heapWorkersOf(tf.backend()) as HeapWorkers;
    expect(pool.threads).toBe(2);
    const splits: string[] = [];
    const run = pool.run.bind(pool);
    const spy = vi.spyOn(pool, 'run').mockImplementation((pass, args, split) => {
      if (split) splits.push(Object.keys(HEAP_PASSES).find((name) => HEAP_PASSES[name as HeapPassName].id === pass) as string);
      run(pass, args, split);
    });
    const previous = setMinSplitElements(0);
    try {
      const threaded = await trainingKernelOutputs();
      // im2col (both layouts), dy rows and transposes ran split (col2im: heap-workers.test.ts).
      expect([...new Set(splits)]).toEqual(expect.arrayContaining(['im2colChannelMajor', 'im2colBatchInner', 'dyRows', 'swapMiddleAxes']));
      for (const [name, values] of single) expect(maxRelativeGap(threaded.get(name) as Float32Array, values), name).toBeLessThanOrEqual(1e-6);
    } finally {
      setMinSplitElements(previous);
      spy.mockRestore();
    }
  });

  it('threads: 2 computes MaxPoolGrad as the cpu backend defines it (first strict maximum; ties, negative windows, overlapping windows)', async () => {
    const gradients = async (): Promise<Float32Array[]> => {
      const found: Float32Array[] = [];
      for (const [k, s, pad] of [[2, 2, 'valid'], [3, 2, 'same'], [3, 1, 'same']] as const) {
        // Rounded values: windows with tied maxima and windows whose maximum is negative.
        const x = tf.round(tf.mul(tf.randomNormal([6, 11, 13, 5], 0, 1, 'float32', 6), 2)) as tf.Tensor4D;
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, k, s, pad), tf.cos(tf.maxPool(t as tf.Tensor4D, k, s, pad)))))(x);
        found.push((await g.data()) as Float32Array);
        tf.dispose([x, g]);
      }
      return found;
    };
    await tf.setBackend('cpu');
    const reference = await gradients();
    await setBackend('wasm', { threads: 2 });
    const threaded = await gradients();
    const previous = setMinSplitElements(0);
    const split = await gradients();
    setMinSplitElements(previous);
    reference.forEach((values, i) => {
      // Within float32 rounding: the upstream cos differs between backends in the last bits, and
      // overlapping windows sum a cell's terms in another order. A wrong choice of cell is off by ~1.
      expect(maxRelativeGap(threaded[i] as Float32Array, values), `case ${i}`).toBeLessThanOrEqual(1e-6);
      expect(Array.from(split[i] as Float32Array), `case ${i} split`).toEqual(Array.from(threaded[i] as Float32Array));
    });
  });

  it('back to threads: 1 reproduces the first run bit for bit', async () => {
    await setBackend('wasm', { threads: 1 });
    expect(activeModule().PThread).toBeUndefined();
    const again = await trainingKernelOutputs();
    for (const [name, values] of single) expect(Array.from(again.get(name) as Float32Array), name).toEqual(Array.from(values));
  });

  it('rejects a thread count that is not an integer >= 1', async () => {
    for (const threads of [0, 1.5, -2, Number.NaN]) {
      await expect(setBackend('wasm', { threads })).rejects.toMatchObject({ code: 'OUT_OF_RANGE', argument: 'threads' });
    }
  });

  it('CONTRASTIVE_WASM_THREADS sets the default; an explicit threads option wins', async () => {
    const saved = process.env[WASM_THREADS_ENV];
    try {
      process.env[WASM_THREADS_ENV] = '1';
      expect((await setBackend('wasm')).threads).toBe(1);
      expect((await setBackend('wasm', { threads: 2 })).threads).toBe(2);
      process.env[WASM_THREADS_ENV] = 'two';
      await expect(setBackend('wasm')).rejects.toMatchObject({ code: 'OUT_OF_RANGE', argument: WASM_THREADS_ENV });
    } finally {
      if (saved === undefined) delete process.env[WASM_THREADS_ENV];
      else process.env[WASM_THREADS_ENV] = saved;
    }
  });

  it('a threaded build whose internals differ falls back to one thread with the reason, and wasm still works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'contrastive-fake-wasm-'));
    writeFileSync(join(dir, 'factory.cjs'), 'module.exports = 42;\n');
    writeFileSync(join(dir, 'worker.cjs'), 'module.exports = {};\n');
    const loaded = await loadThreadedWasmModule(2, { factory: join(dir, 'factory.cjs'), worker: join(dir, 'worker.cjs') });
    expect(loaded).toEqual({ failure: expect.stringContaining('internals differ') });
    const missing = await loadThreadedWasmModule(2, { factory: join(dir, 'absent.js'), worker: join(dir, 'worker.cjs') });
    expect(missing).toEqual({ failure: expect.stringContaining('no unbundled threaded build') });

    await setBackend('wasm', { threads: 2 });
    const outcome = await useWasmThreads(3, async () => loaded);
    expect(outcome).toEqual({ threads: 1, shortfall: expect.stringContaining('3 threads asked for but tfjs-backend-wasm internals differ') });
    expect(registeredWasmThreads()).toBe(1);
    await tf.setBackend('wasm');
    expect(activeModule().PThread).toBeUndefined();
    const y = tf.matMul(tf.ones([2, 3]), tf.ones([3, 2]));
    expect(Array.from(await y.data())).toEqual([3, 3, 3, 3]);
    y.dispose();
  });

  it('a process that trains on 2 threads and returns ends by itself (no worker keeps it alive); its worker script stays in one per-user folder for the next process', () => {
    const started = Date.now();
    const temp = mkdtempSync(join(tmpdir(), 'wasm-threads-tmpdir-'));
    const child = spawnSync(
      process.execPath,
      [join(packageDir, '../../node_modules/vite-node/vite-node.mjs'), '-c', join(packageDir, 'vitest.config.ts'), join(here, '__fixtures__/train-and-exit.ts'), '2'],
      // A few seconds on an idle machine (vite-node transforms the sources first); the limit only
      // catches a process that never ends, with room for a heavily loaded machine.
      { cwd: packageDir, encoding: 'utf8', timeout: 240_000, env: { ...process.env, TMPDIR: temp } },
    );
    expect(child.error, `${Date.now() - started} ms; stderr: ${child.stderr}`).toBeUndefined();
    expect(child.signal).toBeNull();
    expect(child.status, child.stderr).toBe(0);
    const line = child.stdout.trim().split('\n').pop() as string;
    const report = JSON.parse(line) as { threads: number; losses: number[] };
    expect(report.threads).toBe(2);
    expect(report.losses).toHaveLength(3);
    expect(report.losses[2]).toBeLessThan(report.losses[0] as number);
    // One content-named script in <tmpdir>/contrastive-wasm-threads-<uid>: no folder per process, no partial write left.
    const folder = `contrastive-wasm-threads-${process.getuid?.() ?? 'user'}`;
    expect(readdirSync(temp).filter((name) => name.startsWith('contrastive-wasm-threads-'))).toEqual([folder]);
    expect(readdirSync(join(temp, folder))).toEqual([expect.stringMatching(/^pthread-worker-[0-9a-f]{16}\.cjs$/)]);
    rmSync(temp, { recursive: true, force: true });
  }, 300_000);
});
