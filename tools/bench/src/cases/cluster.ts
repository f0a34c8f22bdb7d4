/**
 * k-means: 50,000 x 128 features, k = 1000, at most 20 Lloyd iterations
 * (both sides stop at the first iteration that changes no label), one
 * restart, k-means++ seeding, on wasm (one thread); reference:
 * scikit-learn's KMeans (Debian python3-sklearn, algorithm 'lloyd', tol 0)
 * on the same data (reference/cluster.py), timed with one thread; the
 * script also prints, on stderr, its seeding/Lloyd split and one fit with
 * every core. Both timings include the seeding (scikit-learn's is the greedy
 * k-means++, 2 + ln k candidates per centre; ours the plain one). Both
 * sides generate the data identically from a counter-based hash (see
 * mixtureData), so no file is exchanged. The case prints our inertia; the
 * script prints scikit-learn's on stderr: they should agree within 1%.
 */
import * as tf from '@tensorflow/tfjs-core';
import { kMeans } from '@contrastive/cluster';
import type { BenchCase } from '../types';

const N = 50_000;
const D = 128;
const K = 1000;
const COMPONENTS = 256;
const SPREAD = 0.6;

/** murmur3's 32-bit finaliser: a counter-based hash, identical in numpy uint32. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Standard normal number `i` of stream `stream` (Box-Muller on two hashed uniforms). */
function normalAt(stream: number, i: number): number {
  const u1 = (fmix32((2 * i + stream * 0x9e3779b9) >>> 0) + 0.5) / 4294967296;
  const u2 = (fmix32((2 * i + 1 + stream * 0x9e3779b9) >>> 0) + 0.5) / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * A Gaussian mixture: COMPONENTS centres ~ N(0, 1), point i belongs to
 * component i mod COMPONENTS, plus N(0, SPREAD^2) noise. Mirrors
 * reference/cluster.py's `mixture_data`.
 */
export function mixtureData(n: number, d: number): Float32Array {
  const centres = new Float64Array(COMPONENTS * d);
  for (let j = 0; j < centres.length; j++) centres[j] = normalAt(1, j);
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = i % COMPONENTS;
    for (let a = 0; a < d; a++) out[i * d + a] = centres[c * d + a]! + SPREAD * normalAt(2, i * d + a);
  }
  return out;
}

export const cases: BenchCase[] = [
  {
    name: 'cluster/kmeans-50k-128-k1000',
    description: 'k-means++ then 20 Lloyd iterations, 50,000 x 128, k = 1000, one restart',
    repeats: 3,
    warmup: 0,
    torch: { script: 'cluster.py', args: [String(N), String(D), String(K)] },
    async setup() {
      const features = tf.tensor2d(mixtureData(N, D), [N, D]);
      return {
        async run() {
          const t0 = performance.now();
          const cpu0 = process.cpuUsage();
          const result = await kMeans(features, { k: K, iterations: 20, restarts: 1, init: 'kmeans++', seed: 0 });
          const cpu = process.cpuUsage(cpu0);
          // CPU seconds too: on a shared machine they move less than wall time.
          console.log(
            `  ours: inertia ${result.inertia.toFixed(1)}, iterations ${result.iterations}, ${((performance.now() - t0) / 1000).toFixed(2)} s (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s)`,
          );
          result.centroids.dispose();
        },
        dispose() {
          features.dispose();
        },
      };
    },
  },
];
