/**
 * `contrastive eval <run>`: rebuilds a run's encoder from its saved config,
 * loads the newest valid checkpoint and measures kNN and the linear probe.
 */
import { resolve } from 'node:path';
import { setBackend, type BackendRequest } from '@contrastive/backend';
import { ContrastiveError } from '@contrastive/core';
import { loadLatestCheckpoint, openRun, resolveConfig, restoreWeights } from '@contrastive/train';
import { buildEncoder } from './build-encoder';
import { cropsAtDecode, type BaseConfig } from './config-schema';
import { disposeEvalSets, embedEvalSets, knnScore, rawPixelKnn, type KnnScore, type RawPixelKnn } from './evaluate';
import type { AppDefinition } from './method';
import { augmentGeometry, openAugment } from './open-augment';
import { openRunData } from './open-data';
import { finalProbe } from './augmented-probe';
import { perClassBank } from './knn-bank';

export interface RunEvaluation {
  runDir: string;
  epoch: number;
  knn: KnnScore;
  /** The same kNN on raw pixels (unless `rawPixels: false`). */
  knnRawPixels?: RawPixelKnn;
  linearProbe?: { top1: number; bestTestOptimistic: number; epochs: number };
}

/** Evaluates the newest checkpoint of `runDir` (created by `app`). */
export async function evaluateRun(
  app: AppDefinition,
  runDir: string,
  options: { backend?: BackendRequest; linearProbe?: boolean; rawPixels?: boolean } = {},
): Promise<RunEvaluation> {
  const run = await openRun(resolve(runDir));
  const config = resolveConfig(app.schema, run.info.config) as BaseConfig;
  await setBackend(options.backend ?? (config.backend as BackendRequest));
  // As in training: an ImageFolder run decodes evaluation images as the preset's Resize + CenterCrop and only normalises them.
  const cropAtDecode = cropsAtDecode(config.data);
  const opened = await openRunData(config.data, config.seed, cropAtDecode ? { evalDecode: augmentGeometry(config.augment.preset).evalDecode } : {});
  const data = { ...opened, evalTrain: await perClassBank(opened.evalTrain, config.eval.knnBankPerClass, config.seed) };
  const augment = openAugment(config.augment, data.train.imageShape[2], { cropAtDecode });
  const encoder = buildEncoder(config.model, [augment.size, augment.size, data.train.imageShape[2]], config.seed);
  const latest = await loadLatestCheckpoint(run.checkpointsDir);
  if (latest === null) {
    encoder.model.dispose();
    throw new ContrastiveError('NOT_FOUND', `evaluateRun: 'run' must have a checkpoint; got none in ${run.checkpointsDir}`, {
      fn: 'evaluateRun',
      argument: 'run',
    });
  }
  try {
    restoreWeights(encoder.model.weights, latest.checkpoint.weights['online']!);
    const sets = await embedEvalSets(encoder, data, augment.eval);
    try {
      const numClasses = data.evalTest.numClasses;
      const knnOptions = { k: config.eval.knnK, t: config.eval.knnT, numClasses };
      let knn: KnnScore;
      if (config.eval.knnFeatures === 'backbone') {
        knn = await knnScore(sets, knnOptions);
      } else {
        const knnSets = await embedEvalSets(encoder, data, augment.eval, config.eval.knnFeatures);
        try {
          knn = await knnScore(knnSets, knnOptions);
        } finally {
          disposeEvalSets(knnSets);
        }
      }
      const result: RunEvaluation = { runDir: run.dir, epoch: latest.checkpoint.epoch, knn };
      if (options.rawPixels ?? true) {
        const pixels = augment.size * augment.size * data.train.imageShape[2];
        result.knnRawPixels = await rawPixelKnn(data, augment.eval, { ...knnOptions, pixels, seed: config.seed });
      }
      if (options.linearProbe ?? true) {
        const probe = await finalProbe(config, { encoder, sets, trainImages: opened.evalTrain, augment, numClasses });
        if (probe !== undefined) result.linearProbe = probe;
      }
      return result;
    } finally {
      disposeEvalSets(sets);
    }
  } finally {
    latest.checkpoint.dispose();
    encoder.model.dispose();
  }
}
