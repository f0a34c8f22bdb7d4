/**
 * The two k-means paths on one backend (packages/cluster k-means-path.ts):
 * the host path (Yinyang-bounded Lloyd in JavaScript, score blocks from the
 * device) and the device path (dense Lloyd as tensor ops, one int32 pair
 * read per iteration), from the same random rows, a fixed number of
 * iterations, plus the backend's raw rate for the assignment's matmul
 * shape. The counters give wall and CPU seconds per path (the machine is
 * shared: CPU seconds move less), the device path's achieved GFLOP per CPU
 * second (2 N k d per assignment: the matmul; the argmax, segment sums
 * and status are counted as free) against the raw matmul's, and its host
 * reads in total (iterations + a constant). This is what `'auto'` is chosen from, and what the
 * README's GPU extrapolation scales.
 *
 * wasm: 100,000 x 128, k = 1000, 5 iterations, one thread. webgpu (here
 * Mesa's software Vulkan, a CPU): 20,000 x 128, k = 1000, 3 iterations.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@contrastive/core';
import { setBackend } from '@contrastive/backend';
import { kMeans, type KMeansOptions } from '@contrastive/cluster';
import type { BenchBackend, BenchCase } from '../types';
import { countSteps } from '../step-counters';
import { mixtureData } from './cluster';

const D = 128;
const K = 1000;
/** Rows of one assignment chunk at the default chunkElements (2^22 / k). */
const CHUNK_ROWS = Math.floor(2 ** 22 / K);

const SIZES: Record<string, { n: number; iterations: number }> = {
  wasm: { n: 100_000, iterations: 5 },
  webgpu: { n: 20_000, iterations: 3 },
};

/** CPU seconds of this process (all its threads: lavapipe's too) spent in `f`, the last measured wall seconds in `wall`. */
const wall = { seconds: 0 };
async function timed(f: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await f();
  const c = process.cpuUsage(c0);
  wall.seconds = (performance.now() - t0) / 1000;
  return (c.user + c.system) / 1e6;
}

export const cases: BenchCase[] = [
  {
    name: 'kmeans-path/host-vs-device-k1000',
    description: 'k-means host path vs device path from the same random rows, fixed iterations, k = 1000, d = 128; raw matmul rate',
    backends: ['wasm', 'webgpu'],
    repeats: 1,
    warmup: 0,
    async setup(backend: BenchBackend) {
      if (backend === 'wasm') await setBackend('wasm', { threads: 1 });
      const { n, iterations } = SIZES[backend] ?? SIZES['wasm']!;
      const features = tf.tensor2d(mixtureData(n, D), [n, D]);
      const init = tf.tidy(() =>
        tf.gather(features, tf.tensor1d(createRng(0).sampleWithoutReplacement(n, K), 'int32')) as tf.Tensor2D,
      );
      const counters: Record<string, number> = {};
      // Runs exactly `iterations` M-steps unless a fixed point comes first (reported).
      const options = (path: 'host' | 'device'): KMeansOptions => ({ k: K, iterations, init, path, seed: 0 });
      return {
        async run() {
          let hostIterations = 0;
          counters['hostCpuSeconds'] = await timed(async () => {
            const r = await kMeans(features, options('host'));
            hostIterations = r.iterations;
            r.centroids.dispose();
          });
          counters['hostSeconds'] = wall.seconds;
          let deviceIterations = 0;
          const counts = await countSteps(async () => {
            counters['deviceCpuSeconds'] = await timed(async () => {
              const r = await kMeans(features, options('device'));
              deviceIterations = r.iterations;
              r.centroids.dispose();
            });
            counters['deviceSeconds'] = wall.seconds;
          });
          // Assignments: the first and one per iteration.
          const flops = 2 * n * K * D * (deviceIterations + 1);
          counters['deviceGflopsPerCpuSecond'] = flops / counters['deviceCpuSeconds']! / 1e9;
          // One per iteration plus a constant (the first status, the inertia, the final assignment and
          // distances, and on some backends one more when the rows come in several chunks); the
          // per-iteration count is asserted in packages/cluster's device-k-means.test.ts.
          counters['deviceHostReads'] = counts.hostReads;
          counters['hostIterations'] = hostIterations;
          counters['deviceIterations'] = deviceIterations;
          // The raw matmul of one assignment chunk, repeated over N rows.
          const a = tf.randomNormal([CHUNK_ROWS, D]) as tf.Tensor2D;
          const b = tf.randomNormal([D, K]) as tf.Tensor2D;
          const chunks = Math.ceil(n / CHUNK_ROWS);
          const warm = tf.matMul(a, b);
          await warm.data();
          warm.dispose();
          const cpuSeconds = await timed(async () => {
            for (let c = 0; c < chunks; c++) {
              const s = tf.tidy(() => tf.max(tf.matMul(a, b), 1));
              await s.data();
              s.dispose();
            }
          });
          counters['matmulGflopsPerCpuSecond'] = (2 * chunks * CHUNK_ROWS * D * K) / cpuSeconds / 1e9;
          tf.dispose([a, b]);
          console.log(`  ${JSON.stringify(counters)}`);
        },
        counters: () => counters,
        dispose() {
          tf.dispose([features, init]);
        },
      };
    },
  },
];
