/**
 * Linear probe on frozen features (spec §7.3): a softmax-regression layer
 * (fc initialised N(0, 0.01), zero bias) trained with SGD (momentum,
 * optional Nesterov) or Adam under a per-epoch schedule, with the protocols
 * of §7.3 as presets. Reports the last epoch's test accuracy; the best test
 * epoch is reported separately and labelled optimistic (spec §7.3 pitfall);
 * with a validation split, the epoch selected on validation is reported too.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import {
  argumentError,
  assertDtype,
  assertInRange,
  assertInteger,
  assertNonEmpty,
  assertNonNegative,
  assertOneOf,
  assertPositive,
  assertRank,
  createRng,
  describeShape,
} from '@contrastive/core';
import { labelCount, readLabels, type Labels } from './label-array';
import {
  learningRateAt,
  LINEAR_PROBE_PRESET_NAMES,
  LINEAR_PROBE_PRESETS,
  type LinearProbeConfig,
  type LinearProbePreset,
} from './linear-probe-presets';
import { createProbeLayer } from './probe-layer';

/** Features [N, d] float32 and their int32 labels [N]. Borrowed. */
export interface ProbeData {
  features: Tensor2D;
  labels: Labels | Tensor1D;
}

export interface LinearProbeOptions extends Partial<LinearProbeConfig> {
  /** Protocol whose settings fill every option not given. Default `'fast'`. */
  preset?: LinearProbePreset;
  /** Classes; default max label + 1 over train and test. */
  numClasses?: number;
  /** Fraction of the training rows held out for validation, in [0, 1). Default 0. */
  validationFraction?: number;
  /** Seed of the init, the split and the batch order. Default 0. */
  seed?: number;
  /** Called after every epoch with its record. */
  onEpoch?: (record: LinearProbeEpoch) => void;
}

export interface LinearProbeEpoch {
  /** 1-based epoch number. */
  epoch: number;
  learningRate: number;
  /** Mean training cross-entropy over the epoch's batches. */
  loss: number;
  testAccuracy: number;
  validationAccuracy?: number;
}

export interface LinearProbeResult {
  /** Test accuracy after the last epoch: the figure to report. */
  testAccuracy: number;
  /** Training-split accuracy after the last epoch. */
  trainAccuracy: number;
  /** Validation accuracy after the last epoch (with a validation split). */
  validationAccuracy?: number;
  /** Epoch with the best validation accuracy (earliest on ties) and its test accuracy. */
  selectedOnValidation?: { epoch: number; validationAccuracy: number; testAccuracy: number };
  /** Best test accuracy over epochs: optimistic (selected on test), never the headline figure. */
  bestTestAccuracyOptimistic: { epoch: number; testAccuracy: number };
  history: LinearProbeEpoch[];
  /** The resolved hyper-parameters. */
  config: LinearProbeConfig;
}

export function checkData(fn: string, name: string, data: ProbeData, d?: number): void {
  assertRank(fn, `${name}.features`, data.features, 2);
  assertDtype(fn, `${name}.features`, data.features, 'float32');
  assertNonEmpty(fn, `${name}.features`, data.features);
  if (d !== undefined && data.features.shape[1] !== d) {
    throw argumentError('SHAPE_MISMATCH', fn, `${name}.features`, `of shape [*,${d}]`, describeShape(data.features.shape));
  }
  if (labelCount(data.labels) !== data.features.shape[0]) {
    throw argumentError(
      'SHAPE_MISMATCH',
      fn,
      `${name}.labels`,
      `of length ${data.features.shape[0]}`,
      String(labelCount(data.labels)),
    );
  }
}

/** The preset's settings with `options` on top, validated. */
export function resolveProbeConfig(fn: string, options: LinearProbeOptions): LinearProbeConfig {
  const preset = options.preset ?? 'fast';
  assertOneOf(fn, 'preset', preset, LINEAR_PROBE_PRESET_NAMES);
  const base = LINEAR_PROBE_PRESETS[preset];
  const pick = <K extends keyof LinearProbeConfig>(key: K): LinearProbeConfig[K] =>
    (options[key] ?? base[key]) as LinearProbeConfig[K];
  const config: LinearProbeConfig = {
    optimizer: pick('optimizer'),
    learningRate: pick('learningRate'),
    momentum: pick('momentum'),
    nesterov: pick('nesterov'),
    weightDecay: pick('weightDecay'),
    betas: pick('betas'),
    batchSize: pick('batchSize'),
    epochs: pick('epochs'),
    schedule: pick('schedule'),
    initStd: pick('initStd'),
  };
  assertOneOf(fn, 'optimizer', config.optimizer, ['sgd', 'adam']);
  assertPositive(fn, 'learningRate', config.learningRate);
  assertInRange(fn, 'momentum', config.momentum, { min: 0, max: 1, maxExclusive: true });
  assertNonNegative(fn, 'weightDecay', config.weightDecay);
  assertInteger(fn, 'batchSize', config.batchSize, 1);
  assertInteger(fn, 'epochs', config.epochs, 1);
  assertNonNegative(fn, 'initStd', config.initStd);
  return config;
}

/**
 * Trains a linear classifier on `train` and evaluates it on `test`
 * (features [N, d] float32 and int32 labels; all borrowed). Returns numbers
 * only; every tensor it creates is released.
 *
 * @example
 * const r = await linearProbe({ features: trainX, labels: trainY }, { features: testX, labels: testY },
 *   { preset: 'moco', epochs: 100 });
 * console.log(r.testAccuracy);
 */
export async function linearProbe(
  train: ProbeData,
  test: ProbeData,
  options: LinearProbeOptions = {},
): Promise<LinearProbeResult> {
  const fn = 'linearProbe';
  checkData(fn, 'train', train);
  const d = train.features.shape[1];
  checkData(fn, 'test', test, d);
  const config = resolveProbeConfig(fn, options);
  const validationFraction = options.validationFraction ?? 0;
  assertInRange(fn, 'validationFraction', validationFraction, { min: 0, max: 1, maxExclusive: true });
  const seed = options.seed ?? 0;
  assertInteger(fn, 'seed', seed);
  const allTrainLabels = await readLabels(fn, 'train.labels', train.labels);
  const testLabels = await readLabels(fn, 'test.labels', test.labels);
  let maxLabel = 0;
  for (const l of allTrainLabels) maxLabel = Math.max(maxLabel, l);
  for (const l of testLabels) maxLabel = Math.max(maxLabel, l);
  const numClasses = options.numClasses ?? maxLabel + 1;
  assertInteger(fn, 'numClasses', numClasses, Math.max(2, maxLabel + 1));

  const rng = createRng(seed);
  const n = train.features.shape[0];
  const nVal = validationFraction > 0 ? Math.max(1, Math.round(n * validationFraction)) : 0;
  if (n - nVal < 1) throw argumentError('OUT_OF_RANGE', fn, 'validationFraction', 'leaving training rows', String(validationFraction));
  const order = nVal > 0 ? rng.permutation(n) : undefined;
  const trainIdx = order === undefined ? undefined : order.slice(nVal).sort();
  const valIdx = order === undefined ? undefined : order.slice(0, nVal).sort();

  const owned: tf.Tensor[] = [];
  let disposeLayer = (): void => undefined;
  const keep = <T extends tf.Tensor>(t: T): T => {
    owned.push(t);
    return t;
  };
  try {
    const trainX = trainIdx === undefined ? train.features : keep(tf.tidy(() => tf.gather(train.features, tf.tensor1d(trainIdx, 'int32'))) as Tensor2D);
    const trainLabels = trainIdx === undefined ? allTrainLabels : trainIdx.map((i) => allTrainLabels[i]!);
    const valX = valIdx === undefined ? undefined : keep(tf.tidy(() => tf.gather(train.features, tf.tensor1d(valIdx, 'int32'))) as Tensor2D);
    const valLabels = valIdx === undefined ? undefined : valIdx.map((i) => allTrainLabels[i]!);
    const trainY = keep(tf.tensor1d(trainLabels, 'int32'));

    const layer = createProbeLayer(d, numClasses, config, rng.seed());
    disposeLayer = () => layer.dispose();
    const history: LinearProbeEpoch[] = [];
    let bestTest = { epoch: 0, testAccuracy: -1 };
    let selected: LinearProbeResult['selectedOnValidation'];
    const nTrain = trainLabels.length;

    for (let epoch = 0; epoch < config.epochs; epoch++) {
      const lr = learningRateAt(config, epoch);
      const perm = rng.permutation(nTrain);
      let lossSum = 0;
      for (let start = 0; start < nTrain; start += config.batchSize) {
        const idx = perm.subarray(start, Math.min(start + config.batchSize, nTrain));
        const batch = tf.tensor1d(idx, 'int32');
        const value = tf.tidy(() => layer.step(tf.gather(trainX, batch) as Tensor2D, tf.gather(trainY, batch) as Tensor1D, lr));
        lossSum += (await value.data())[0]! * idx.length;
        tf.dispose([value, batch]);
      }
      const testAccuracy = await layer.accuracy(test.features, testLabels);
      const record: LinearProbeEpoch = { epoch: epoch + 1, learningRate: lr, loss: lossSum / nTrain, testAccuracy };
      if (valX !== undefined) {
        record.validationAccuracy = await layer.accuracy(valX, valLabels!);
        if (selected === undefined || record.validationAccuracy > selected.validationAccuracy) {
          selected = { epoch: epoch + 1, validationAccuracy: record.validationAccuracy, testAccuracy };
        }
      }
      if (testAccuracy > bestTest.testAccuracy) bestTest = { epoch: epoch + 1, testAccuracy };
      history.push(record);
      options.onEpoch?.(record);
    }
    const last = history[history.length - 1]!;
    const result: LinearProbeResult = {
      testAccuracy: last.testAccuracy,
      trainAccuracy: await layer.accuracy(trainX, trainLabels),
      bestTestAccuracyOptimistic: bestTest,
      history,
      config,
    };
    if (last.validationAccuracy !== undefined) result.validationAccuracy = last.validationAccuracy;
    if (selected !== undefined) result.selectedOnValidation = selected;
    return result;
  } finally {
    tf.dispose(owned);
    disposeLayer();
  }
}
