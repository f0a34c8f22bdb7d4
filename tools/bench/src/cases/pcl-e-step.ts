/**
 * PCL's E-step clusterings at ImageNet's k on 100,000 features: kMeansMulti
 * with k = 25,000 / 50,000 / 100,000 and the paper preset's faiss settings
 * (apps/pcl paper-imagenet: 20 iterations, 5 restarts, random seeding, at
 * most 1000 points per centroid; spec §2(a) E-step 3), then PCL's
 * prototypes and concentrations. The features are the bench mixture
 * (kmeans-faiss.ts) L2-normalised like PCL's momentum features. One timed
 * run (it takes many minutes on one wasm thread); the counters give the
 * seconds per k, the process's peak resident memory (VmHWM) and the peak
 * tensor bytes on the backend. No reference: faiss would take as long
 * again on the shared machine (kmeans-faiss.ts compares per iteration).
 *
 * `BENCH_PCL_RESTARTS` overrides the restarts (e.g. 1 for a quicker run).
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { kMeans, pclPrototypes } from '@contrastive/cluster';
import type { BenchCase } from '../types';
import { mixtureData } from './cluster';

const N = 100_000;
const D = 128;
const KS = [25_000, 50_000, 100_000] as const;

/** Peak resident set size of this process in bytes (Linux VmHWM), or NaN. */
export function peakResidentBytes(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return match === null ? NaN : Number(match[1]) * 1024;
  } catch {
    return NaN;
  }
}

/** Rows of `data` ([rows, d]) scaled to unit L2 norm, in place. */
function normalizeRows(data: Float32Array, d: number): Float32Array {
  for (let i = 0; i < data.length; i += d) {
    let s = 0;
    for (let a = 0; a < d; a++) s += data[i + a]! * data[i + a]!;
    const scale = 1 / Math.sqrt(s);
    for (let a = 0; a < d; a++) data[i + a]! *= scale;
  }
  return data;
}

export const cases: BenchCase[] = [
  {
    name: 'pcl-e-step/kmeans-100k-128',
    description: 'PCL E-step: k-means for k = 25k, 50k, 100k (20 iterations, 5 restarts, random seeds) + prototypes, 100,000 x 128',
    repeats: 1,
    warmup: 0,
    async setup() {
      const features = tf.tensor2d(normalizeRows(mixtureData(N, D), D), [N, D]);
      const restarts = Number(process.env['BENCH_PCL_RESTARTS'] ?? 5);
      const counters: Record<string, number> = {};
      return {
        async run() {
          let peakTensorBytes = tf.memory().numBytes;
          const t0 = performance.now();
          // kMeansMulti's loop, one k at a time, so each k is timed and its result freed before the next.
          for (let m = 0; m < KS.length; m++) {
            const k = KS[m]!;
            const start = performance.now();
            const result = await kMeans(features, {
              k,
              iterations: 20,
              restarts,
              init: 'random',
              maxPointsPerCentroid: 1000,
              seed: m,
            });
            const p = pclPrototypes(result, { temperature: 0.2, alpha: 10 });
            peakTensorBytes = Math.max(peakTensorBytes, tf.memory().numBytes);
            tf.dispose([p.prototypes, p.concentration, result.centroids]);
            const seconds = (performance.now() - start) / 1000;
            counters[`k${k}Seconds`] = seconds;
            counters[`k${k}Iterations`] = result.iterations;
            console.log(
              `  k ${k}: ${seconds.toFixed(1)} s, inertia ${result.inertia.toFixed(1)}, iterations ${result.iterations}, restarts ${restarts}, peak RSS ${(peakResidentBytes() / 2 ** 20).toFixed(0)} MB`,
            );
          }
          counters['totalSeconds'] = (performance.now() - t0) / 1000;
          counters['restarts'] = restarts;
          counters['peakResidentMB'] = peakResidentBytes() / 2 ** 20;
          counters['peakTensorMB'] = peakTensorBytes / 2 ** 20;
        },
        counters: () => counters,
        dispose() {
          features.dispose();
        },
      };
    },
  },
];
