/**
 * The shared training loop of every app: resolve the config, pick the
 * backend, open the data, build the encoder and the app's method, train with
 * checkpoints (resumable), monitor with kNN, and finish with a linear probe,
 * alignment/uniformity and an HTML report.
 */
import { resolve } from 'node:path';
import { setBackend, type BackendRequest } from '@contrastive/backend';
import { assertOneOf, createRng } from '@contrastive/core';
import { multiView } from '@contrastive/augment';
import { createLoader } from '@contrastive/data';
import {
  createProgress,
  createRun,
  openRun,
  resolveConfig,
  restoreWeights,
  type EpochPosition,
  type MetricRecord,
  type Run,
} from '@contrastive/train';
import type { z } from 'zod';
import { buildEncoder } from './build-encoder';
import { buildOptimizer, buildSchedule } from './build-optimizer';
import { calibrateBatchNorm, holdBatchNormStatistics } from './calibrate-batch-norm';
import { cropsAtDecode, type BaseConfig } from './config-schema';
import { decodedViews, decodeViewRequest } from './decode-views';
import {
  alignmentUniformity,
  disposeEvalSets,
  embedEvalSets,
  knnScore,
  rawPixelKnn,
  type EvalSets,
  type KnnScore,
  type RawPixelKnn,
} from './evaluate';
import type { AppDefinition, Method } from './method';
import { augmentGeometry, openAugment } from './open-augment';
import { openRunData } from './open-data';
import { finalProbe } from './augmented-probe';
import { perClassBank } from './knn-bank';
import { trainEpoch, type EpochLoop } from './train-epoch';
import { writeRunReport } from './run-report';

export interface TrainAppOptions {
  /** Preset name; required unless resuming. */
  preset?: string;
  /** `key.path=value` overrides. */
  sets?: readonly string[];
  /** Dataset folder (sets `data.root`). */
  dataRoot?: string;
  /** Overrides the config's backend. */
  backend?: BackendRequest;
  /** Where run folders go. Default `runs`. */
  outDir?: string;
  /** A run folder to continue from its last checkpoint. */
  resume?: string;
  /** Where progress and messages go. Default process.stdout. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Called after each epoch's checkpoint (tests use it to stop a run). */
  onEpochEnd?: (epoch: number, run: Run) => void | Promise<void>;
  /**
   * Called after every checkpoint saved inside an epoch (`train.checkpointEverySteps`),
   * with its 0-based epoch and global step (tests use it to stop a run mid-epoch).
   */
  onStepCheckpoint?: (position: { epoch: number; step: number }, run: Run) => void | Promise<void>;
}

export interface TrainAppResult {
  runDir: string;
  backend: string;
  epochs: number;
  knnRandomInit: KnnScore;
  /** The same kNN on the raw (eval-transformed, flattened) pixels: the baseline to beat. */
  knnRawPixels: RawPixelKnn;
  knn: KnnScore;
  linearProbe?: { top1: number; bestTestOptimistic: number; epochs: number };
  alignment: number;
  uniformity: number;
  seconds: number;
  reportPath: string;
}

function presetOf(app: AppDefinition, name: string | undefined): unknown {
  const names = Object.keys(app.presets);
  assertOneOf('contrastive train', 'preset', name, names);
  return app.presets[name as string];
}

/** " (bank B, queries Q)" when the raw-pixel kNN had to use subsets (images too large), else "". */
export function rawPixelNote(raw: RawPixelKnn, data: { evalTrain: { length: number }; evalTest: { length: number } }): string {
  return raw.bank < data.evalTrain.length || raw.queries < data.evalTest.length ? ` (bank ${raw.bank}, queries ${raw.queries})` : '';
}

/** Trains `app` end to end and returns the evaluation summary. */
export async function trainApp<S extends z.ZodType>(app: AppDefinition<S>, options: TrainAppOptions): Promise<TrainAppResult> {
  const started = Date.now();
  const out = options.stream ?? process.stdout;
  const say = (line: string) => void out.write(`${line}\n`);

  // 1. Config: a resumed run reuses its saved config; --set applies on top of a preset.
  let run: Run | undefined;
  let config: z.output<S> & BaseConfig;
  let presetName: string;
  if (options.resume !== undefined) {
    run = await openRun(resolve(options.resume));
    config = resolveConfig(app.schema, run.info.config) as z.output<S> & BaseConfig;
    presetName = run.info.preset;
  } else {
    const preset = presetOf(app as AppDefinition, options.preset) as Record<string, unknown>;
    const sets = [...(options.sets ?? [])];
    if (options.dataRoot !== undefined) sets.unshift(`data.root=${JSON.stringify(resolve(options.dataRoot))}`);
    if (options.backend !== undefined) sets.unshift(`backend=${JSON.stringify(options.backend)}`);
    config = resolveConfig(app.schema, preset, sets) as z.output<S> & BaseConfig;
    presetName = options.preset as string;
  }

  // 2. Backend and data.
  const choice = await setBackend(config.backend as BackendRequest);
  say(`backend: ${choice.backend} on ${choice.device.description} (${choice.reason})`);
  // An ImageFolder run cuts RandomResizedCrop from the full image at decode and decodes evaluation images as Resize + CenterCrop.
  const cropAtDecode = cropsAtDecode(config.data);
  const opened = await openRunData(config.data, config.seed, cropAtDecode ? { evalDecode: augmentGeometry(config.augment.preset).evalDecode } : {});
  const data = { ...opened, evalTrain: await perClassBank(opened.evalTrain, config.eval.knnBankPerClass, config.seed) };
  say(`data: ${data.train.name} (${data.train.length} images), kNN bank ${data.evalTrain.length}, queries ${data.evalTest.length}`);
  const augment = openAugment(config.augment, data.train.imageShape[2], { cropAtDecode });
  const views = cropAtDecode ? decodedViews(augment.train, config.augment.views) : multiView(augment.train, config.augment.views);
  if (cropAtDecode) {
    const { decodeCrop: c, evalDecode: e } = augment;
    say(`crops at decode: ${config.augment.views} RandomResizedCrop(${c.size}, scale [${c.scale.join(', ')}]) views per image; evaluation Resize(${e.resize}) + CenterCrop(${e.crop})`);
  }
  const inputShape = [augment.size, augment.size, data.train.imageShape[2]] as const;

  // 3. Model, loader, optimiser, schedule, method.
  const encoder = buildEncoder(config.model, inputShape, config.seed);
  const loader = createLoader(data.train, {
    batchSize: config.train.batchSize,
    shuffle: true,
    seed: config.seed,
    dropLast: true,
    ...(cropAtDecode ? { views: decodeViewRequest(augment, config.augment.views, config.seed) } : {}),
  });
  const stepsPerEpoch = Math.min(loader.stepsPerEpoch, config.train.maxStepsPerEpoch ?? Infinity);
  if (stepsPerEpoch < 1) throw new Error(`contrastive train: the dataset has fewer images (${data.train.length}) than one batch (${config.train.batchSize})`);
  const totalSteps = stepsPerEpoch * config.train.epochs;
  const optimizer = buildOptimizer(config.optimizer, encoder.model.trainableWeights, config.train.batchSize);
  const schedule = buildSchedule(config.schedule, config.optimizer, {
    batchSize: config.train.batchSize,
    epochs: config.train.epochs,
    stepsPerEpoch,
  });
  const augmentRng = createRng(config.seed * 7919 + 1);
  const methodRng = createRng(config.seed * 7919 + 2);
  const method: Method = await app.createMethod({
    config,
    encoder,
    createEncoder: () => buildEncoder(config.model, inputShape, config.seed),
    data,
    evalTransform: augment.eval,
    stepsPerEpoch,
    totalSteps,
    rng: methodRng,
    log: say,
  });
  const numClasses = data.evalTest.numClasses;
  const evalOptions = { k: config.eval.knnK, t: config.eval.knnT, numClasses };
  const knnFeatures = config.eval.knnFeatures;
  // Alignment's two views: cut at decode as in training when the run crops at decode.
  const auViews = cropAtDecode ? decodedViews(augment.train, 2) : multiView(augment.train, 2);
  const auOptions = { limit: 512, seed: config.seed, decodeViews: cropAtDecode ? decodeViewRequest(augment, 2, config.seed) : undefined };
  /** kNN (on the configured features) plus alignment and uniformity of the encoder now. */
  const monitor = async (): Promise<{ knn: KnnScore; alignment: number; uniformity: number }> => {
    const sets = await embedEvalSets(encoder, data, augment.eval, knnFeatures);
    let knn: KnnScore;
    try {
      knn = await knnScore(sets, evalOptions);
    } finally {
      disposeEvalSets(sets);
    }
    const au = await alignmentUniformity(encoder, data.evalTest, auViews, auOptions);
    return { knn, ...au };
  };

  try {
    // 4. A new run measures the encoder at random init; a resumed one restores everything.
    let startEpoch = 0;
    /** Set when resuming from a checkpoint inside epoch `startEpoch`. */
    let resumeInEpoch: EpochPosition | undefined;
    let knnRandomInit: KnnScore;
    let knnRawPixels: RawPixelKnn;
    if (run === undefined) {
      run = await createRun({
        root: resolve(options.outDir ?? 'runs'),
        app: app.name,
        preset: presetName,
        config,
        seed: config.seed,
        backend: choice.backend,
        keepCheckpoints: config.train.keepCheckpoints,
      });
      // The random-init baseline gets BatchNorm statistics of training images (PreciseBN), as training
      // gives the trained encoder's; the run then trains from the untouched init (mean 0, variance 1).
      const restoreStatistics = holdBatchNormStatistics(encoder.model);
      let initial: Awaited<ReturnType<typeof monitor>>;
      let calibration: { batches: number };
      try {
        calibration = await calibrateBatchNorm(encoder, data.train, augment.eval, { batchSize: config.train.batchSize, seed: config.seed });
        initial = await monitor();
      } finally {
        restoreStatistics();
      }
      knnRandomInit = initial.knn;
      knnRawPixels = await rawPixelKnn(data, augment.eval, { ...evalOptions, pixels: inputShape[0] * inputShape[1] * inputShape[2], seed: config.seed });
      run.log({ kind: 'knn', epoch: 0, knnTop1: knnRandomInit.top1, knnTop5: knnRandomInit.top5, alignment: initial.alignment, uniformity: initial.uniformity });
      run.log({
        kind: 'knn-reference',
        epoch: 0,
        knnTop1RandomInit: knnRandomInit.top1,
        knnTop5RandomInit: knnRandomInit.top5,
        randomInitBatchNormBatches: calibration.batches,
        knnTop1RawPixels: knnRawPixels.top1,
        knnTop5RawPixels: knnRawPixels.top5,
        rawPixelBank: knnRawPixels.bank,
        rawPixelQueries: knnRawPixels.queries,
      });
      say(`run: ${run.dir}`);
      say(`kNN top-1 at random init (BatchNorm statistics of ${calibration.batches} training batches): ${knnRandomInit.top1.toFixed(2)}%; on raw pixels: ${knnRawPixels.top1.toFixed(2)}%${rawPixelNote(knnRawPixels, data)}`);
    } else {
      const point = await run.resume();
      for (const skipped of point?.skipped ?? []) say(`skipped checkpoint ${skipped.dir}: ${skipped.reason}`);
      const initial = run.readMetrics().find((r) => r['kind'] === 'knn' && r['epoch'] === 0);
      knnRandomInit = { top1: Number(initial?.['knnTop1']), top5: Number(initial?.['knnTop5']) };
      const reference = run.readMetrics().find((r) => r['kind'] === 'knn-reference');
      if (reference === undefined) {
        // A run started before raw-pixel references were logged: measure them now.
        knnRawPixels = await rawPixelKnn(data, augment.eval, { ...evalOptions, pixels: inputShape[0] * inputShape[1] * inputShape[2], seed: config.seed });
      } else {
        knnRawPixels = {
          top1: Number(reference['knnTop1RawPixels']),
          top5: Number(reference['knnTop5RawPixels']),
          bank: Number(reference['rawPixelBank']),
          queries: Number(reference['rawPixelQueries']),
        };
      }
      if (point !== null) {
        const c = point.checkpoint;
        restoreWeights(encoder.model.weights, c.weights['online']!);
        optimizer.setState(c.optimizers['main']!);
        augmentRng.setState(c.rng['augment']!);
        methodRng.setState(c.rng['method']!);
        await method.setState?.(c);
        startEpoch = c.epoch;
        resumeInEpoch = c.inEpoch;
        c.dispose();
        say(`resumed ${run.dir} at epoch ${startEpoch}${resumeInEpoch === undefined ? '' : `, batch ${resumeInEpoch.batch}`}`);
      }
    }

    // 5. Training.
    const runRef = run;
    const epochEndCheckpoint = (epoch: number) => epoch + 1 === config.train.epochs || (epoch + 1) % config.train.checkpointEvery === 0;
    /** Saves the run's whole state: at an epoch's end (`inEpoch` unset) or inside epoch `epoch`. */
    const saveCheckpoint = async (epoch: number, inEpoch?: EpochPosition) => {
      const extra = method.getState?.({ inEpoch: inEpoch !== undefined }) ?? {};
      await runRef.saveCheckpoint({
        epoch: inEpoch === undefined ? epoch + 1 : epoch,
        step: epoch * stepsPerEpoch + (inEpoch?.batch ?? stepsPerEpoch),
        weights: { online: encoder.model.weights, ...(extra.weights ?? {}) },
        optimizers: { main: optimizer },
        tensors: extra.tensors ?? {},
        rng: { augment: augmentRng.getState(), method: methodRng.getState() },
        user: extra.user ?? null,
        ...(inEpoch === undefined ? {} : { inEpoch }),
      });
    };
    const loop: EpochLoop = {
      optimizer,
      method,
      views,
      augmentRng,
      schedule,
      stepsPerEpoch,
      logEvery: config.train.logEvery,
      log: (record) => runRef.log(record),
      ...(config.train.checkpointEverySteps === undefined
        ? {}
        : {
            checkpointEverySteps: config.train.checkpointEverySteps,
            checkpoint: async (epoch: number, position: EpochPosition) => {
              // The epoch's last step: the epoch-end checkpoint follows (after the kNN monitor) when one is due.
              if (position.batch === stepsPerEpoch && epochEndCheckpoint(epoch)) return;
              await saveCheckpoint(epoch, position);
              await options.onStepCheckpoint?.({ epoch, step: epoch * stepsPerEpoch + position.batch }, runRef);
            },
          }),
    };
    for (let epoch = startEpoch; epoch < config.train.epochs; epoch++) {
      // A resumed epoch continues at its checkpoint's batch, with what beforeEpoch computed restored by setState.
      const from = epoch === startEpoch ? resumeInEpoch : undefined;
      if (from === undefined) await method.beforeEpoch?.(epoch);
      const progress = createProgress({ total: stepsPerEpoch, label: `epoch ${epoch + 1}/${config.train.epochs}`, stream: out });
      if (from !== undefined) progress.update(from.batch);
      const batches = loader.epoch(epoch, { startStep: from?.batch ?? 0 });
      const { loss: epochLoss } = await trainEpoch(loop, epoch, batches, progress, from);
      progress.stop();
      const last = epoch + 1 === config.train.epochs;
      const record: MetricRecord = { kind: 'epoch', epoch: epoch + 1, loss: epochLoss };
      if (last || (config.eval.knnEvery > 0 && (epoch + 1) % config.eval.knnEvery === 0)) {
        const now = await monitor();
        runRef.log({ kind: 'knn', epoch: epoch + 1, knnTop1: now.knn.top1, knnTop5: now.knn.top5, alignment: now.alignment, uniformity: now.uniformity });
        say(`epoch ${epoch + 1}: loss ${epochLoss.toFixed(4)}, kNN top-1 ${now.knn.top1.toFixed(2)}%, alignment ${now.alignment.toFixed(3)}, uniformity ${now.uniformity.toFixed(3)}`);
      }
      runRef.log(record);
      if (epochEndCheckpoint(epoch)) await saveCheckpoint(epoch);
      await options.onEpochEnd?.(epoch + 1, runRef);
    }

    // 6. Final evaluation and report.
    const sets = await embedEvalSets(encoder, data, augment.eval);
    let knn: KnnScore;
    if (knnFeatures === 'backbone') {
      knn = await knnScore(sets, evalOptions);
    } else {
      let knnSets: EvalSets | undefined;
      try {
        knnSets = await embedEvalSets(encoder, data, augment.eval, knnFeatures);
        knn = await knnScore(knnSets, evalOptions);
      } finally {
        if (knnSets !== undefined) disposeEvalSets(knnSets);
      }
    }
    const probe: TrainAppResult['linearProbe'] = await finalProbe(config, { encoder, sets, trainImages: opened.evalTrain, augment, numClasses });
    const au = await alignmentUniformity(encoder, data.evalTest, auViews, auOptions);
    const final: MetricRecord = {
      kind: 'final',
      epoch: config.train.epochs,
      knnTop1: knn.top1,
      knnTop5: knn.top5,
      knnTop1RandomInit: knnRandomInit.top1,
      knnTop1RawPixels: knnRawPixels.top1,
      alignment: au.alignment,
      uniformity: au.uniformity,
      ...(probe === undefined ? {} : { linearProbeTop1: probe.top1, linearProbeBestTestOptimistic: probe.bestTestOptimistic }),
    };
    runRef.log(final);
    const reportPath = await writeRunReport(runRef, sets, {
      title: `${app.name} / ${presetName}`,
      scatterPoints: config.eval.scatterPoints,
      classNames: data.evalTest.classNames,
    });
    disposeEvalSets(sets);
    const result: TrainAppResult = {
      runDir: runRef.dir,
      backend: choice.backend,
      epochs: config.train.epochs,
      knnRandomInit,
      knnRawPixels,
      knn,
      alignment: au.alignment,
      uniformity: au.uniformity,
      seconds: (Date.now() - started) / 1000,
      reportPath,
      ...(probe === undefined ? {} : { linearProbe: probe }),
    };
    return result;
  } finally {
    method.dispose();
    optimizer.dispose();
    encoder.model.dispose();
  }
}
