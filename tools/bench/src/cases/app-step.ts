/**
 * `app-step/*`: training steps of the apps' own loop (`trainEpoch` of
 * @contrastive/app-kit, the code `contrastive train` runs) with a paper
 * preset's model, augmentations, method and optimiser, on synthetic images,
 * counting per step: host reads, kernels launched and peak tensor bytes.
 * The timed run is the counted one (after one uncounted warm-up step). On
 * wasm and on a software WebGPU device the batches are smaller (below).
 *
 * - `moco-v2-r50-224`: MoCo v2 `paper-imagenet` (ResNet-50, 8 BN groups,
 *   queue 65,536, aug+ at 224 px from 256 px images) at batch 32 (8 off a GPU).
 * - `simclr-r18-cifar`: SimCLR `paper-cifar10` (ResNet-18 CIFAR stem, LARS)
 *   at batch 128 (32 off a GPU) on 32 px images.
 */
import * as tf from '@tensorflow/tfjs-core';
import { buildEncoder, buildOptimizer, buildSchedule, trainEpoch, type AppDefinition, type EpochBatch, type EpochLoop } from '@contrastive/app-kit';
import { mocoApp } from '@contrastive/app-moco';
import { simclrApp } from '@contrastive/app-simclr';
import { getAugmentPreset, multiView, type AugmentPresetName } from '@contrastive/augment';
import { createRng } from '@contrastive/core';
import { resolveConfig } from '@contrastive/train';
import { countSteps, type StepCounts } from '../step-counters';
import type { BenchBackend, BenchCase, PreparedCase } from '../types';

interface StepSetup {
  app: AppDefinition;
  preset: string;
  /**
   * Batch size on a GPU, and on wasm and software WebGPU devices: wasm's heap
   * ends at 4 GiB, which the paper sizes' activations exceed, and Mesa's
   * lavapipe took over 50 minutes for three MoCo v2 steps at batch 32.
   */
  batchSize: { gpu: number; cpu: number };
  /** Side of the square synthetic images the loader would hand out. */
  imageSize: number;
  /** Steps per profiled run; also the log interval, so the run is one logging window. */
  steps: number;
}

/** Synthetic batches in [0, 1], seeded, created as the loader does (one upload each). */
async function* batches(setup: SizedSetup, seed: number): AsyncGenerator<EpochBatch> {
  const rng = createRng(seed);
  const n = setup.batchSize * setup.imageSize * setup.imageSize * 3;
  for (let step = 0; step < setup.steps; step++) {
    const pixels = new Float32Array(n);
    for (let i = 0; i < n; i++) pixels[i] = rng.next();
    const indices = Int32Array.from({ length: setup.batchSize }, (_, i) => step * setup.batchSize + i);
    yield { images: tf.tensor4d(pixels, [setup.batchSize, setup.imageSize, setup.imageSize, 3]), indices, step };
  }
}

type SizedSetup = Omit<StepSetup, 'batchSize'> & { batchSize: number };

/** True when the active backend computes on a GPU (not the CPU, not a software WebGPU device). */
function onHardwareGpu(backend: BenchBackend): boolean {
  if (backend === 'webgpu') return (tf.backend() as unknown as { adapterInfo?: { architecture?: string } }).adapterInfo?.architecture !== 'software';
  return backend === 'tensorflow';
}

async function prepare(sized: StepSetup, backend: BenchBackend): Promise<PreparedCase> {
  const setup: SizedSetup = { ...sized, batchSize: onHardwareGpu(backend) ? sized.batchSize.gpu : sized.batchSize.cpu };
  const { app } = setup;
  const config = resolveConfig(app.schema, app.presets[setup.preset], [`train.batchSize=${setup.batchSize}`, `train.logEvery=${setup.steps}`]) as {
    seed: number;
    model: Parameters<typeof buildEncoder>[0];
    augment: { preset: string; views: number };
    optimizer: Parameters<typeof buildOptimizer>[0];
    schedule: Parameters<typeof buildSchedule>[0];
    train: { batchSize: number; epochs: number; logEvery: number };
  };
  const augment = getAugmentPreset(config.augment.preset as AugmentPresetName);
  const inputShape = [augment.size, augment.size, 3] as const;
  const encoder = buildEncoder(config.model, inputShape, config.seed);
  const optimizer = buildOptimizer(config.optimizer, encoder.model.trainableWeights, setup.batchSize);
  const stepsPerEpoch = setup.steps;
  const schedule = buildSchedule(config.schedule, config.optimizer, { batchSize: setup.batchSize, epochs: config.train.epochs, stepsPerEpoch });
  const method = await app.createMethod({
    config,
    encoder,
    createEncoder: () => buildEncoder(config.model, inputShape, config.seed),
    data: undefined as never, // MoCo and SimCLR read no dataset in their method
    evalTransform: augment.eval,
    stepsPerEpoch,
    totalSteps: stepsPerEpoch * config.train.epochs,
    rng: createRng(2),
    log: () => undefined,
  } as never);
  const loop: EpochLoop = {
    optimizer: optimizer as unknown as EpochLoop['optimizer'],
    method,
    views: multiView(augment.train, config.augment.views),
    augmentRng: createRng(1),
    schedule,
    stepsPerEpoch,
    logEvery: config.train.logEvery,
  };
  let epoch = 0;
  let counts: StepCounts | undefined;
  let warm = false;
  return {
    async run() {
      if (!warm) {
        // Shader compilation and first-use allocations, outside the counts.
        await trainEpoch({ ...loop, stepsPerEpoch: 1 }, epoch, batches({ ...setup, steps: 1 }, 100 + epoch));
        epoch++;
        warm = true;
        return;
      }
      counts = await countSteps(async () => {
        await trainEpoch(loop, epoch, batches(setup, 100 + epoch));
      });
      epoch++;
    },
    counters(): Record<string, number> {
      if (counts === undefined) return {};
      const per = (x: number) => Math.round((x / setup.steps) * 100) / 100;
      return {
        steps: setup.steps,
        hostReadsPerStep: per(counts.hostReads),
        kernelsPerStep: per(counts.kernels),
        peakMB: Math.round(counts.peakBytes / 2 ** 20),
        peakStepMB: Math.round(counts.peakStepBytes / 2 ** 20),
      };
    },
    dispose() {
      method.dispose();
      optimizer.dispose();
      encoder.model.dispose();
    },
  };
}

const STEPS: Record<string, StepSetup> = {
  'moco-v2-r50-224': { app: mocoApp as AppDefinition, preset: 'paper-imagenet', batchSize: { gpu: 32, cpu: 8 }, imageSize: 256, steps: 2 },
  'simclr-r18-cifar': { app: simclrApp as AppDefinition, preset: 'paper-cifar10', batchSize: { gpu: 128, cpu: 32 }, imageSize: 32, steps: 4 },
};

export const cases: BenchCase[] = Object.entries(STEPS).map(([name, setup]) => ({
  name: `app-step/${name}`,
  description: `${setup.steps} training steps of ${setup.app.name} ${setup.preset} through trainEpoch at batch ${setup.batchSize.gpu} on a GPU (${setup.batchSize.cpu} on wasm or a software device), counted per step`,
  backends: ['wasm', 'webgpu'],
  warmup: 1,
  repeats: 1,
  setup: (backend) => prepare(setup, backend),
}));
