import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useBackend } from '@contrastive/test-utils';
import { createLossWindow } from './loss-window';
import { NotFiniteLossError } from './nan-guard';

type Reader = { read(dataId: object): Promise<unknown> };

/** Counts the active backend's asynchronous reads while `f` runs. */
async function countReads<T>(f: () => Promise<T>): Promise<{ result: T; reads: number }> {
  const backend = tf.backend() as unknown as Reader;
  const read = backend.read;
  let reads = 0;
  backend.read = function (this: Reader, dataId: object) {
    reads++;
    return read.call(this, dataId);
  };
  try {
    return { result: await f(), reads };
  } finally {
    backend.read = read;
  }
}

describe('createLossWindow', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  let before = 0;
  beforeEach(() => {
    before = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reads a whole window of losses with one host read, in order, and frees them', async () => {
    const window = createLossWindow();
    const values = [0.5, 1.25, 3, -2];
    values.forEach((v, step) => window.push(tf.scalar(v), { epoch: 0, step }));
    expect(window.size).toBe(4);
    const { result, reads } = await countReads(() => window.flush());
    expect(reads).toBe(1);
    expect(result.map((s) => s.value)).toEqual(values);
    expect(result.map((s) => s.at.step)).toEqual([0, 1, 2, 3]);
    expect(window.size).toBe(0);
    expect(await window.flush()).toEqual([]);
  });

  it('names the first non-finite step of the window, not the read step', async () => {
    const window = createLossWindow();
    [1, 2, NaN, Infinity, 3].forEach((v, i) => window.push(tf.scalar(v), { epoch: 2, step: 10 + i }));
    const error = await window.flush().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NotFiniteLossError);
    expect((error as NotFiniteLossError).step).toBe(12);
    expect((error as NotFiniteLossError).epoch).toBe(2);
    expect(Number.isNaN((error as NotFiniteLossError).value)).toBe(true);
  });

  it('a window of one reads the scalar itself; dispose frees unread losses', async () => {
    const window = createLossWindow();
    window.push(tf.scalar(7), { epoch: 0, step: 0 });
    expect((await window.flush())[0]!.value).toBe(7);
    window.push(tf.scalar(1), { epoch: 0, step: 1 });
    window.push(tf.scalar(2), { epoch: 0, step: 2 });
    window.dispose();
    expect(window.size).toBe(0);
  });
});
