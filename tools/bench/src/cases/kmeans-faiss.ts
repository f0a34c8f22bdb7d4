/**
 * k-means against faiss (Debian python3-faiss 1.7.3, the library PCL's
 * E-step calls) on 100,000 x 128 (cluster.ts's mixture, generated
 * identically on both sides), one thread each: wasm's single-threaded
 * build for ours, faiss.omp_set_num_threads(1) for faiss
 * (reference/kmeans_faiss.py). k = 1000 with 20 iterations and k = 10,000
 * with 10 iterations, one restart, at most 1000 points per centroid (no
 * subsample at this N).
 *
 * Two seedings per k:
 * - `same-init`: both start from the same k random rows (drawn by our
 *   seeded rng, handed to faiss as init_centroids through a temporary
 *   file): equal work, and the inertias compare Lloyd with Lloyd.
 * - `kmeans++`: ours seeds with k-means++ (seeding timed), faiss with its
 *   own random rows (PCL's setting; faiss has no k-means++): the
 *   configuration of the figures measured before the device work.
 * faiss runs every iteration; ours stops at the first iteration that
 * changes no row (never before 10 here).
 *
 * The machine is shared, so each timed run runs faiss and ours back to back
 * (alternating which goes first), and the counters report the ratios of the
 * best wall times and of the summed CPU seconds (ours: process.cpuUsage,
 * which includes V8's GC threads; faiss: time.process_time).
 */
import * as tf from '@tensorflow/tfjs-core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '@contrastive/core';
import { setBackend } from '@contrastive/backend';
import { kMeans, type KMeansOptions } from '@contrastive/cluster';
import type { BenchCase } from '../types';
import { mixtureData } from './cluster';

const N = 100_000;
const D = 128;
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'reference', 'kmeans_faiss.py');
const PYTHON = process.env['BENCH_PYTHON'] ?? '/usr/bin/python3';

interface Side {
  seconds: number;
  cpuSeconds: number;
  inertia: number;
  iterations: number;
}

function runFaiss(k: number, iterations: number, seed: number, initFile: string | undefined): Side {
  const args = [SCRIPT, String(N), String(D), String(k), String(iterations), String(seed), ...(initFile ? [initFile] : [])];
  const out = execFileSync(PYTHON, args, {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
  });
  const parsed = JSON.parse(out.trim().split('\n').pop() ?? '') as Side;
  return parsed;
}

async function runOurs(features: tf.Tensor2D, options: KMeansOptions): Promise<Side> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await kMeans(features, options);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  result.centroids.dispose();
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, inertia: result.inertia, iterations: result.iterations };
}

function faissCase(k: number, iterations: number, seeding: 'same-init' | 'kmeans++'): BenchCase {
  return {
    name: `kmeans-faiss/100k-128-k${k}-${seeding}`,
    description: `k-means, 100,000 x 128, k = ${k}, ${iterations} iterations, ${seeding === 'same-init' ? 'both from the same random rows' : 'ours k-means++, faiss random rows'}; faiss in the same run`,
    // BENCH_FAISS_ROUNDS: rounds (faiss + ours) per case, default 2.
    repeats: Number(process.env['BENCH_FAISS_ROUNDS'] ?? 2),
    warmup: 0,
    async setup() {
      await setBackend('wasm', { threads: 1 });
      const features = tf.tensor2d(mixtureData(N, D), [N, D]);
      const dir = mkdtempSync(join(tmpdir(), 'kmeans-faiss-'));
      let init: tf.Tensor2D | undefined;
      let initFile: string | undefined;
      if (seeding === 'same-init') {
        const rows = createRng(0).sampleWithoutReplacement(N, k);
        init = tf.tidy(() => tf.gather(features, tf.tensor1d(rows, 'int32')) as tf.Tensor2D);
        initFile = join(dir, 'init.f32');
        const values = (await init.data()) as Float32Array;
        writeFileSync(initFile, Buffer.from(values.buffer, values.byteOffset, values.byteLength));
      }
      const options: KMeansOptions = {
        k,
        iterations,
        restarts: 1,
        seed: 0,
        maxPointsPerCentroid: 1000,
        init: init ?? 'kmeans++',
      };
      const ours: Side[] = [];
      const theirs: Side[] = [];
      return {
        async run() {
          const faissFirst = ours.length % 2 === 0;
          if (faissFirst) theirs.push(runFaiss(k, iterations, 0, initFile));
          ours.push(await runOurs(features, options));
          if (!faissFirst) theirs.push(runFaiss(k, iterations, 0, initFile));
          const a = ours[ours.length - 1]!;
          const b = theirs[theirs.length - 1]!;
          console.log(
            `  ours ${a.seconds.toFixed(2)} s (CPU ${a.cpuSeconds.toFixed(2)} s, ${a.iterations} it, inertia ${a.inertia.toFixed(1)}) | faiss ${b.seconds.toFixed(2)} s (CPU ${b.cpuSeconds.toFixed(2)} s, inertia ${b.inertia.toFixed(1)})`,
          );
        },
        counters() {
          const best = (s: Side[]): number => Math.min(...s.map((x) => x.seconds));
          const cpu = (s: Side[]): number => s.reduce((t, x) => t + x.cpuSeconds, 0);
          const last = ours[ours.length - 1]!;
          return {
            oursBestSeconds: best(ours),
            faissBestSeconds: best(theirs),
            timeRatio: best(ours) / best(theirs),
            cpuRatio: cpu(ours) / cpu(theirs),
            oursInertia: last.inertia,
            faissInertia: theirs[theirs.length - 1]!.inertia,
            inertiaRatio: last.inertia / theirs[theirs.length - 1]!.inertia,
            oursIterations: last.iterations,
          };
        },
        dispose() {
          tf.dispose([features, ...(init ? [init] : [])]);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

export const cases: BenchCase[] = [
  faissCase(1000, 20, 'same-init'),
  faissCase(1000, 20, 'kmeans++'),
  faissCase(10_000, 10, 'same-init'),
  faissCase(10_000, 10, 'kmeans++'),
];
