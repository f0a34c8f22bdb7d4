import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import { NotFiniteLossError, type EpochPosition, type MetricRecord } from '@contrastive/train';
import { useBackend } from '@contrastive/test-utils';
import type { Method } from './method';
import { trainEpoch, type EpochBatch, type EpochLoop } from './train-epoch';

type Reader = { read(dataId: object): Promise<unknown>; readSync(dataId: object): unknown };
type Tape = { isTapeOn(): boolean };

async function* batches(n: number, start = 0): AsyncGenerator<EpochBatch> {
  for (let step = start; step < n; step++) {
    yield { images: tf.fill([2, 2, 2, 1], step + 1) as tf.Tensor4D, labels: tf.zeros([2], 'int32'), indices: Int32Array.from([0, 1]), step };
  }
}

/** A one-weight "model": loss = mean(images) * w^2, NaN at `nanAt`; `prepare` records whether the tape was on. */
function setup(options: { stepsPerEpoch: number; logEvery: number; nanAt?: number }) {
  const w = tf.variable(tf.scalar(1));
  const tapeOnInPrepare: boolean[] = [];
  const afterSteps: number[] = [];
  const records: MetricRecord[] = [];
  const method: Method = {
    prepare() {
      tapeOnInPrepare.push((tf.engine() as unknown as Tape).isTapeOn());
    },
    loss(views, batch) {
      const base = tf.mul(tf.mean(views[0]!), tf.square(w)) as tf.Scalar;
      return batch.step === options.nanAt ? (tf.mul(base, NaN) as tf.Scalar) : base;
    },
    afterStep: (b) => void afterSteps.push(b.step),
    dispose() {},
  };
  const optimizer = tf.train.sgd(0.01);
  const loop: EpochLoop = {
    optimizer: optimizer as unknown as EpochLoop['optimizer'],
    method,
    views: (images) => [tf.clone(images)],
    augmentRng: createRng(1),
    schedule: () => 0.01,
    stepsPerEpoch: options.stepsPerEpoch,
    logEvery: options.logEvery,
    log: (r) => void records.push(r),
  };
  const weight = async () => (await w.data())[0]!;
  const dispose = () => {
    w.dispose();
    optimizer.dispose();
  };
  return { loop, tapeOnInPrepare, afterSteps, records, weight, dispose };
}

/** Runs `f` counting the active backend's host reads. */
async function countReads<T>(f: () => Promise<T>): Promise<{ result: T; reads: number }> {
  const backend = tf.backend() as unknown as Reader;
  const { read, readSync } = backend;
  let reads = 0;
  // cpu and wasm implement read with readSync: a read counts once, however it is served.
  let inRead = false;
  backend.read = async function (this: Reader, id: object) {
    reads++;
    inRead = true;
    try {
      return await read.call(this, id);
    } finally {
      inRead = false;
    }
  };
  backend.readSync = function (this: Reader, id: object) {
    if (!inRead) reads++;
    return readSync.call(this, id);
  };
  try {
    return { result: await f(), reads };
  } finally {
    backend.read = read;
    backend.readSync = readSync;
  }
}

describe('trainEpoch', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('reads the loss back once per logging window and once at the epoch end, with every step counted', async () => {
    const s = setup({ stepsPerEpoch: 8, logEvery: 3 });
    const before = tf.memory().numTensors;
    const { result, reads } = await countReads(() => trainEpoch(s.loop, 1, batches(8)));
    // Global steps 8..15: windows end (and log) at 8, 11 and 14; the epoch's end reads step 15: four reads.
    expect(reads).toBe(4);
    expect(s.records.map((r) => r['step'])).toEqual([8, 11, 14]);
    expect(result.steps).toBe(8);
    // The epoch loss is the mean of every step's loss, read in those three windows: step k has
    // loss k w^2, then SGD moves w by -lr * 2 k w.
    let w = 1;
    let sum = 0;
    for (let k = 1; k <= 8; k++) {
      sum += k * w * w;
      w -= 0.01 * 2 * k * w;
    }
    expect(result.loss).toBeCloseTo(sum / 8, 5);
    expect(s.afterSteps).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    expect(tf.memory().numTensors).toBe(before);
    s.dispose();
  });

  it('reads exactly once per logEvery steps when epochs are whole windows', async () => {
    const s = setup({ stepsPerEpoch: 9, logEvery: 3 });
    const { reads } = await countReads(() => trainEpoch(s.loop, 1, batches(9)));
    expect(reads).toBe(3);
    expect(s.records.map((r) => r['step'])).toEqual([11, 14, 17]);
    s.dispose();
  });

  it("runs the method's prepare outside the gradient tape, before every loss", async () => {
    const s = setup({ stepsPerEpoch: 3, logEvery: 10 });
    await trainEpoch(s.loop, 0, batches(3));
    expect(s.tapeOnInPrepare).toEqual([false, false, false]);
    s.dispose();
  });

  it('checkpoints inside the epoch at every checkpointEverySteps-th global step, and an epoch continued from one ends as the whole epoch', async () => {
    const whole = setup({ stepsPerEpoch: 8, logEvery: 3 });
    const positions: [number, EpochPosition][] = [];
    const wholeLoop: EpochLoop = { ...whole.loop, checkpointEverySteps: 5, checkpoint: async (e, p) => void positions.push([e, p]) };
    const { result: full, reads } = await countReads(() => trainEpoch(wholeLoop, 1, batches(8)));
    // Global steps 8..15: checkpoints after steps 9 and 14 (batches 2 and 7 done). Each reads the
    // window first: at 9 step 9's loss (one read more than the 4 logging reads); at 14 the
    // window was just read for the log, so an empty window costs nothing: 5 reads.
    expect(positions.map(([e, p]) => [e, p.batch, p.steps])).toEqual([[1, 2, 2], [1, 7, 7]]);
    expect(reads).toBe(5);
    // Continue a fresh copy from the first position: weight, records and mean loss as uninterrupted.
    const part = setup({ stepsPerEpoch: 8, logEvery: 3 });
    await trainEpoch(part.loop, 1, batches(2));
    const resumed = await trainEpoch(part.loop, 1, batches(8, 2), undefined, positions[0]![1]);
    expect(resumed).toEqual(full);
    expect(part.records).toEqual(whole.records);
    expect(await part.weight()).toBe(await whole.weight());
    whole.dispose();
    part.dispose();
  });

  it('stops at the first non-finite loss of a window, naming its step, and frees everything', async () => {
    const s = setup({ stepsPerEpoch: 8, logEvery: 4, nanAt: 5 });
    const before = tf.memory().numTensors;
    const error = await trainEpoch(s.loop, 0, batches(8)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NotFiniteLossError);
    expect((error as NotFiniteLossError).step).toBe(5);
    // Detected at the read of the window 4..7 (the epoch's end), before anything after the epoch (a checkpoint) runs.
    expect(s.records.map((r) => r['step'])).toEqual([3]);
    expect(tf.memory().numTensors).toBe(before);
    s.dispose();
  });
});
