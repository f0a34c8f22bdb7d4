/**
 * `threads/...`: the 3-conv SimCLR step (train-step.ts) and the ResNet-18
 * CIFAR step at batch 128 (encoders.ts) on the wasm backend with 1 and 2
 * XNNPACK threads (`setBackend('wasm', { threads })`), each beside PyTorch
 * with `torch.set_num_threads` 1 and 2 in the same run. Run them back to back
 * (`npm run bench -- --filter threads/`) so that both thread counts see the
 * same machine load.
 */
import type { BenchCase } from '../types';
import { cases as encoderCases } from './encoders';
import { cases as trainStepCases } from './train-step';

/** The thread counts compared (this project's build machine has 2 cores). */
const THREAD_COUNTS = [1, 2] as const;

function base(cases: BenchCase[], name: string): BenchCase {
  const found = cases.find((c) => c.name === name);
  if (found === undefined) throw new Error(`bench case ${name} not found`);
  return found;
}

function withThreads(c: BenchCase, name: string, threads: number): BenchCase {
  return {
    ...c,
    name: `threads/${name}-t${threads}`,
    description: `${c.description}; wasm on ${threads} XNNPACK thread${threads === 1 ? '' : 's'}, PyTorch on ${threads}`,
    threads,
    ...(c.torch === undefined ? {} : { torch: { ...c.torch, threads } }),
  };
}

const convnet = base(trainStepCases, 'train-step/convnet-3');
const resnet = base(encoderCases, 'train-step/resnet18-cifar-b128');

export const cases: BenchCase[] = [
  ...THREAD_COUNTS.map((t) => withThreads(convnet, 'convnet-3', t)),
  ...THREAD_COUNTS.map((t) => withThreads(resnet, 'resnet18-cifar-b128', t)),
];
