/**
 * Where the CPU time of wasm work goes, per OS thread (Linux: /proc/self/task),
 * on 1 or more XNNPACK threads: a measure of the thread pool's split that a
 * loaded machine cannot blur (wall times on a saturated machine carry no
 * speed-up information). Prints one JSON line.
 *
 *   npx tsx tools/bench/src/thread-split.ts <threads> resnet18 <batch> <steps>
 *   npx tsx tools/bench/src/thread-split.ts <threads> matmul <size> <repeats>
 *
 * ResNet-18: CIFAR stem, 10-class fc, train-mode forward, cross-entropy,
 * backward, SGD momentum (the `train-step/resnet18-cifar-*` cases); one
 * untimed step first. Matmul: `[size, size] @ [size, size]`, one untimed first.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { setBackend } from '@contrastive/backend';
import { createRng } from '@contrastive/core';
import { composeEncoder, createProjectionHead, createResNet } from '@contrastive/encoders';

/** CPU ticks (1/100 s, user + system) of every thread of this process. */
function threadTicks(): Map<string, number> {
  return new Map(
    readdirSync('/proc/self/task').map((task) => {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return [task, Number(fields[11]) + Number(fields[12])];
    }),
  );
}

function resnetStep(batch: number): () => Promise<number> {
  const backbone = createResNet({ depth: 18, stem: 'cifar', seed: 0 });
  const fc = createProjectionHead({ inputDim: backbone.featureDim, outputDim: 10, bias: true, name: 'fc' });
  const encoder = composeEncoder(backbone, fc);
  const rng = createRng(0);
  const images = tf.tensor4d(Float32Array.from({ length: batch * 32 * 32 * 3 }, () => rng.next()), [batch, 32, 32, 3]);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, () => rng.int(10)), 'int32'), 10);
  const optimizer = tf.train.momentum(0.01, 0.9);
  return async () => {
    const cost = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(labels, encoder.forward(images, { training: true }).projections) as tf.Scalar,
      true,
    ) as tf.Scalar;
    const value = (await cost.data())[0] as number;
    cost.dispose();
    return value;
  };
}

function matmul(size: number): () => Promise<number> {
  const a = tf.randomNormal([size, size], 0, 1, 'float32', 1);
  const b = tf.randomNormal([size, size], 0, 1, 'float32', 2);
  return async () => {
    const y = tf.matMul(a, b);
    const value = (await y.data())[0] as number;
    y.dispose();
    return value;
  };
}

const [threadsArg = '1', work = 'resnet18', sizeArg, repeatsArg] = process.argv.slice(2);
const threads = Number(threadsArg);
const size = Number(sizeArg ?? (work === 'matmul' ? 1024 : 32));
const repeats = Number(repeatsArg ?? (work === 'matmul' ? 20 : 2));
const choice = await setBackend('wasm', { threads });
const run = work === 'matmul' ? matmul(size) : resnetStep(size);
const values = [await run()];
const before = threadTicks();
const start = performance.now();
for (let i = 0; i < repeats; i++) values.push(await run());
const wall = performance.now() - start;
const after = threadTicks();
const perThread = [...after].map(([task, t]) => ({ task, ms: ((t - (before.get(task) ?? 0)) * 10) / repeats })).filter((t) => t.ms > 0);
const main = perThread.find((t) => t.task === String(process.pid))?.ms ?? 0;
console.log(
  JSON.stringify({
    threads: choice.threads,
    work,
    size,
    repeats,
    wallMsPerRun: Math.round(wall / repeats),
    cpuMsPerRun: perThread.reduce((s, t) => s + t.ms, 0),
    mainThreadCpuMsPerRun: main,
    otherThreadsCpuMsPerRun: perThread.filter((t) => t.task !== String(process.pid)).map((t) => t.ms),
    values,
  }),
);
