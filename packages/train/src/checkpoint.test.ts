import { mkdtemp, readdir, readFile, rm, truncate, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng, isContrastiveError } from '@contrastive/core';
import { expectNoLeak, useBackend } from '@contrastive/test-utils';
import {
  checkpointName,
  createSgd,
  listCheckpoints,
  loadCheckpoint,
  loadLatestCheckpoint,
  pruneCheckpoints,
  restoreWeights,
  saveCheckpoint,
} from './index';

let root: string;
beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'contrastive-ckpt-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function codeOfAsync(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    if (isContrastiveError(e)) return e.code;
    throw e;
  }
  return undefined;
}

async function savePlain(dir: string, step: number, value: number): Promise<void> {
  const t = tf.fill([3], value);
  await saveCheckpoint(dir, { epoch: step, step, tensors: { t } });
  t.dispose();
}

describe('saveCheckpoint / loadCheckpoint', () => {
  it('round-trips weight sets, optimizer state, tensors of every dtype, RNG states and user JSON', async () => {
    const dir = join(root, 'roundtrip');
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [2], kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) })] });
    const ema = model.weights.map((w) => tf.tidy(() => tf.variable(tf.mul(w.read(), 2), false)));
    const opt = createSgd(model.trainableWeights, { learningRate: 0.1, momentum: 0.9 });
    const x = tf.ones([4, 2]);
    opt.minimize(() => tf.mean(model.apply(x) as tf.Tensor) as tf.Scalar).dispose();
    const queue = tf.tensor2d([[1.5, -2], [3.25, 4]]);
    const labels = tf.tensor1d([7, -3, 2 ** 30], 'int32');
    const mask = tf.tensor1d([true, false, true], 'bool');
    const rng = createRng(5);
    rng.next();
    const before = tf.memory().numTensors;
    const path = await saveCheckpoint(dir, {
      epoch: 3,
      step: 120,
      weights: { online: model.weights, momentum: ema },
      optimizers: { main: opt },
      tensors: { queue, labels, mask },
      rng: { data: rng.getState() },
      user: { best: 0.5, note: 'x' },
    });
    expect(tf.memory().numTensors).toBe(before); // the optimizer state copies were freed
    expect(path.endsWith(checkpointName(120))).toBe(true);
    expect((await readdir(path)).sort()).toEqual(['manifest.json', 'tensors.bin']);

    const ck = await loadCheckpoint(path);
    expect([ck.epoch, ck.step]).toEqual([3, 120]);
    expect(ck.user).toEqual({ best: 0.5, note: 'x' });
    expect(ck.rng['data']).toEqual(rng.getState());
    expect(ck.weights['online']!.map((w) => w.name)).toEqual(model.weights.map((w) => (w.read() as tf.Variable).name));
    for (let i = 0; i < 2; i++) {
      expect(ck.weights['online']![i]!.tensor.shape).toEqual(model.weights[i]!.shape);
      expect(Array.from(await ck.weights['online']![i]!.tensor.data())).toEqual(Array.from(await model.weights[i]!.read().data()));
      expect(Array.from(await ck.weights['momentum']![i]!.tensor.data())).toEqual(Array.from(await ema[i]!.data()));
    }
    expect(ck.tensors['labels']!.dtype).toBe('int32');
    expect(Array.from(await ck.tensors['labels']!.data())).toEqual([7, -3, 2 ** 30]);
    expect(ck.tensors['mask']!.dtype).toBe('bool');
    expect(Array.from(await ck.tensors['mask']!.data())).toEqual([1, 0, 1]);
    expect(ck.tensors['queue']!.shape).toEqual([2, 2]);
    expect(Array.from(await ck.tensors['queue']!.data())).toEqual([1.5, -2, 3.25, 4]);
    const st = ck.optimizers['main']!;
    expect([st.kind, st.iterations, st.learningRate, st.steps]).toEqual(['sgd', 1, 0.1, [1, 1]]);
    const live = opt.getState();
    expect(Array.from(await st.slots['momentum/0']!.data())).toEqual(Array.from(await live.slots['momentum/0']!.data()));
    tf.dispose(Object.values(live.slots));

    // Restore into a freshly built model (new tfjs names) and a new optimizer.
    const model2 = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [2] })] });
    expectNoLeak(() => restoreWeights(model2.weights, ck.weights['online']!), 0);
    const opt2 = createSgd(model2.trainableWeights, { learningRate: 1 });
    opt2.setState(st);
    expect(opt2.learningRate).toBe(0.1);
    ck.dispose();
    expect(Array.from(await model2.weights[0]!.read().data())).toEqual(Array.from(await model.weights[0]!.read().data()));
    let err: unknown;
    try {
      restoreWeights(model2.weights.slice(0, 1), [{ name: 'b', tensor: labels }]);
    } catch (e) {
      err = e;
    }
    expect(isContrastiveError(err, 'SHAPE_MISMATCH')).toBe(true);
    opt.dispose();
    opt2.dispose();
    model.dispose();
    model2.dispose();
    tf.dispose([...ema, x, queue, labels, mask]);
  });

  it('stores a position inside an epoch exactly (next batch, steps, float64 loss sum) and rejects a bad one', async () => {
    const dir = join(root, 'in-epoch');
    const t = tf.zeros([1]);
    const lossSum = 0.1 + 0.2 + 1 / 3; // not a float32: must come back as the same double
    await saveCheckpoint(dir, { epoch: 2, step: 57, tensors: { t }, inEpoch: { batch: 7, lossSum, steps: 7 } });
    const ck = await loadCheckpoint(join(dir, checkpointName(57)));
    expect(ck.inEpoch).toEqual({ batch: 7, lossSum, steps: 7 });
    ck.dispose();
    await savePlain(dir, 60, 1);
    const boundary = await loadCheckpoint(join(dir, checkpointName(60)));
    expect(boundary.inEpoch).toBeUndefined();
    boundary.dispose();
    expect(await codeOfAsync(saveCheckpoint(dir, { epoch: 2, step: 58, tensors: { t }, inEpoch: { batch: 1.5, lossSum: 0, steps: 1 } }))).toBe('OUT_OF_RANGE');
    expect(await codeOfAsync(saveCheckpoint(dir, { epoch: 2, step: 58, tensors: { t }, inEpoch: { batch: 1, lossSum: NaN, steps: 1 } }))).toBe('INVALID_ARGUMENT');
    // A manifest whose position was edited by hand is reported, not trusted.
    const manifest = join(dir, checkpointName(57), 'manifest.json');
    const text = await readFile(manifest, 'utf8');
    await writeFile(manifest, text.replace('"batch":7', '"batch":-1'));
    expect(await codeOfAsync(loadCheckpoint(join(dir, checkpointName(57))))).toBe('CORRUPT_DATA');
    t.dispose();
  });

  it('keeps the newest N checkpoints and ignores temporary folders', async () => {
    const dir = join(root, 'prune');
    for (const s of [1, 2, 3, 10, 11]) await savePlain(dir, s, s);
    await mkdir(join(dir, `.tmp-${checkpointName(12)}-1-2-3`));
    await pruneCheckpoints(dir, 2);
    expect((await listCheckpoints(dir)).map((p) => p.split('/').pop())).toEqual([checkpointName(10), checkpointName(11)]);
    const latest = await loadLatestCheckpoint(dir);
    expect(latest!.checkpoint.step).toBe(11);
    expect(latest!.skipped).toEqual([]);
    latest!.checkpoint.dispose();
  });
});

describe('loadLatestCheckpoint with damaged checkpoints', () => {
  const damages: [string, (ckDir: string) => Promise<void>][] = [
    ['truncated tensors.bin', (d) => truncate(join(d, 'tensors.bin'), 5)],
    ['flipped byte in tensors.bin', async (d) => {
      const b = await readFile(join(d, 'tensors.bin'));
      b[0] = b[0]! ^ 0xff;
      await writeFile(join(d, 'tensors.bin'), b);
    }],
    ['truncated manifest.json', async (d) => {
      const text = await readFile(join(d, 'manifest.json'), 'utf8');
      await writeFile(join(d, 'manifest.json'), text.slice(0, text.length / 2));
    }],
    ['missing manifest.json (partial folder)', (d) => rm(join(d, 'manifest.json'))],
    ['missing tensors.bin', (d) => rm(join(d, 'tensors.bin'))],
  ];
  for (const [name, damage] of damages) {
    it(`falls back to the previous checkpoint and reports it: ${name}`, async () => {
      const dir = join(root, `damage-${name.replace(/\W+/g, '-')}`);
      await savePlain(dir, 4, 4);
      await savePlain(dir, 8, 8);
      const newest = join(dir, checkpointName(8));
      await damage(newest);
      const before = tf.memory().numTensors;
      const direct = await codeOfAsync(loadCheckpoint(newest));
      expect(direct === 'CORRUPT_DATA' || direct === 'NOT_FOUND').toBe(true);
      expect(tf.memory().numTensors).toBe(before);
      const latest = await loadLatestCheckpoint(dir);
      expect(latest!.checkpoint.step).toBe(4);
      expect(Array.from(await latest!.checkpoint.tensors['t']!.data())).toEqual([4, 4, 4]);
      expect(latest!.skipped).toHaveLength(1);
      expect(latest!.skipped[0]!.dir).toBe(newest);
      latest!.checkpoint.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('returns null without checkpoints and throws CORRUPT_DATA when all are damaged', async () => {
    const dir = join(root, 'all-bad');
    expect(await loadLatestCheckpoint(dir)).toBeNull();
    await savePlain(dir, 1, 1);
    await truncate(join(dir, checkpointName(1), 'tensors.bin'), 0);
    expect(await codeOfAsync(loadLatestCheckpoint(dir))).toBe('CORRUPT_DATA');
  });

  it('accepts a run folder and uses its checkpoints/ folder', async () => {
    const runDir = join(root, 'a-run');
    await savePlain(join(runDir, 'checkpoints'), 5, 5);
    expect(await listCheckpoints(runDir)).toEqual([join(runDir, 'checkpoints', checkpointName(5))]);
    const latest = await loadLatestCheckpoint(runDir);
    expect(latest!.checkpoint.step).toBe(5);
    latest!.checkpoint.dispose();
  });
});
