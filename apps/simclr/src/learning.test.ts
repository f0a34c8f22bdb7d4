/**
 * SimCLR learns (issue 14 item 7): through the kit's real training path
 * (trainApp: loader, fashion-mnist-cpu augmentation, SGD with the cosine
 * schedule, trainEpoch), a few hundred steps on a seeded synthetic problem
 * (kit testing/synthetic-idx: class = a faint stripe texture under a large
 * random bright blob) lift the kNN accuracy well above the same encoder at
 * random init, whose BatchNorm statistics are calibrated on training images
 * (kit calibrateBatchNorm) as training calibrates the trained encoder's.
 *
 * Against the uncalibrated baseline (BN mean 0, variance 1) training at lr
 * 1e-9, which learns nothing, gained 12-24 points (seeds 1-3: 68 vs 55.5,
 * 75.5 vs 51, 53.5 vs 41.5) from BatchNorm's moving statistics alone. Against
 * the calibrated one it moves -6 to +5 (68 vs 65, 75.5 vs 70.5, 53.5 vs
 * 59.5: the trained run's statistics are an exponential average weighing
 * its last ~10 batches of augmented views, the baseline's an average over 2048
 * eval-transformed images; and there are 200 queries), which the second test bounds by 8 points (the old baseline fails
 * it by 4.5 at seed 1). SimCLR at the preset's lr gains 10-19 over the
 * calibrated baseline (84 vs 65, 88 vs 70.5, 69.5 vs 59.5), so the first test
 * asks for 10 points: lr 1e-9 fails it, and so does a method whose gradients
 * do not reach the encoder, or an optimiser that does not step.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainApp } from '@contrastive/app-kit';
import { writeSyntheticIdx } from '../../kit/src/testing/synthetic-idx';
import { simclrApp } from './index';

const out = mkdtempSync(join(tmpdir(), 'simclr-learning-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;

/** Overrides of the smoke preset: the synthetic data, a tiny ConvNet, 2 x 100 steps of batch 16. */
function learningSets(dataDir: string, seed: number): string[] {
  return [
    `seed=${seed}`,
    'data.dataset="idx"',
    `data.root=${JSON.stringify(dataDir)}`,
    'data.trainLimit=3200',
    'data.evalTrainLimit=400',
    'data.evalTestLimit=200',
    'model.convChannels=[8,16]',
    'train.epochs=2',
    'train.batchSize=16',
    'train.maxStepsPerEpoch=100',
    'train.logEvery=50',
    'eval.knnEvery=0',
    'eval.linearProbe="none"',
  ];
}

/** Seed of the run (1; 2 and 3 checked by hand through LEARNING_SEED). */
const SEED = Number(process.env['LEARNING_SEED'] ?? 1);

describe('simclr learns', () => {
  it('a few hundred steps beat the same encoder at random init (BN calibrated) by >= 10 kNN points', async () => {
    const data = join(out, 'data');
    writeSyntheticIdx(data, { train: 3200, test: 200, seed: 7 });
    const result = await trainApp(simclrApp, { preset: 'smoke', backend: 'wasm', outDir: out, stream: quiet, sets: learningSets(data, SEED) });
    console.log(`seed ${SEED}: trained ${result.knn.top1.toFixed(2)}% vs random init ${result.knnRandomInit.top1.toFixed(2)}% vs raw ${result.knnRawPixels.top1.toFixed(2)}% in ${result.seconds.toFixed(1)} s`);
    expect(result.knn.top1).toBeGreaterThanOrEqual(result.knnRandomInit.top1 + 10);
  }, 60_000);

  it('at lr 1e-9 (nothing learned) the trained kNN stays within 8 points of the random-init baseline', async () => {
    const data = join(out, 'data-frozen');
    writeSyntheticIdx(data, { train: 3200, test: 200, seed: 7 });
    const result = await trainApp(simclrApp, { preset: 'smoke', backend: 'wasm', outDir: out, stream: quiet, sets: [...learningSets(data, SEED), 'optimizer.lr=1e-9'] });
    console.log(`seed ${SEED}, lr 1e-9: trained ${result.knn.top1.toFixed(2)}% vs random init ${result.knnRandomInit.top1.toFixed(2)}%`);
    expect(Math.abs(result.knn.top1 - result.knnRandomInit.top1)).toBeLessThanOrEqual(8);
  }, 60_000);
});
