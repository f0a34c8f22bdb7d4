/**
 * Paper presets against the official code, JegZheng/CACR-SSL @
 * fbc9d94810 (small_scale_experiments/<dataset>/main_ours.py;
 * large_scale_shift_experiments/imagenet/ours/builder.py for the queue form).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { buildEncoder, NORMALIZATION_STATS, type MethodContext } from '@contrastive/app-kit';
import { createRng } from '@contrastive/core';
import { cctLoss, cctQueueLoss } from '@contrastive/loss-cct';
import { useBackend } from '@contrastive/test-utils';
import { resolveConfig } from '@contrastive/train';
import { cctSchema, CCT_PRESETS, createCctMethod, type CctConfig } from './index';

const config = (name: keyof typeof CCT_PRESETS) => resolveConfig(cctSchema, CCT_PRESETS[name]) as CctConfig;
const at = (c: unknown, path: string) => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], c);

describe('cct paper presets = the official code', () => {
  it.each([
    ['paper-cifar10', 'method.encodeViews', 'separately', 'cifar10/main_ours.py:134-136 for j in range(opt.Ny+1): encoder(samples_list[j])'],
    ['paper-cifar100', 'method.encodeViews', 'separately', 'cifar100/main_ours.py:138-140'],
    ['paper-stl10', 'method.encodeViews', 'separately', 'stl10/main_ours.py:130-132'],
    ['paper-cifar10', 'augment.normalization', undefined, 'cifar10/main_ours.py:86-88 Normalize((0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)) = the preset\'s own'],
    ['paper-cifar100', 'augment.normalization', 'cifar100', 'cifar100/main_ours.py:89-91 Normalize((0.5071, 0.4867, 0.4408), (0.2675, 0.2565, 0.2761))'],
    ['paper-cifar100', 'method.tNeg', 2.0, "cifar100/main_ours.py:25 '--tau_neg' default 2.0"],
    ['paper-imagenet', 'method.candidateGroups', 8, 'imagenet/ours/builder.py:239-242 intra-batch candidates are the per-GPU queries q (8 GPUs x 32)'],
    ['paper-imagenet', 'method.queueSize', 65536, "imagenet/main_ours.py:86 '--moco-k' default 65536"],
  ] as [keyof typeof CCT_PRESETS, string, unknown, string][])('%s: %s = %s (%s)', (preset, path, value) => {
    expect(at(config(preset), path)).toBe(value);
  });

  it("paper-cifar100 normalises with CIFAR-100's statistics", () => {
    expect(NORMALIZATION_STATS['cifar100']).toEqual({ mean: [0.5071, 0.4867, 0.4408], std: [0.2675, 0.2565, 0.2761] });
  });
});

describe('cct method fields a form does not use', () => {
  const issues = (preset: unknown) => {
    try {
      resolveConfig(cctSchema, preset);
      return [];
    } catch (error) {
      return (error as { issues: { path: string; message: string }[] }).issues;
    }
  };
  it('rejects queue fields on the small-scale form and small-scale fields on the queue form', () => {
    const small = issues({ ...CCT_PRESETS['cpu-fashion-mnist'], method: { ...CCT_PRESETS['cpu-fashion-mnist'].method, queueSize: 65536, momentum: 0.999 } });
    expect(small.map((i) => i.path).sort()).toEqual(['method.momentum', 'method.queueSize']);
    expect(small[0]!.message).toContain("not used by form 'small-scale'");
    const queue = issues({ ...CCT_PRESETS['smoke-queue'], method: { ...CCT_PRESETS['smoke-queue'].method, debiased: true, encodeViews: 'separately' } });
    expect(queue.map((i) => i.path).sort()).toEqual(['method.debiased', 'method.encodeViews']);
    for (const preset of Object.values(CCT_PRESETS)) expect(issues(preset)).toEqual([]);
  });
});

describe('cct options on real batches', () => {
  const setup = async (name: keyof typeof CCT_PRESETS, method: Record<string, unknown>) => {
    await useBackend('cpu');
    const base = config(name);
    const c = { ...base, method: { ...base.method, ...method } } as CctConfig;
    const encoder = buildEncoder(c.model, [28, 28, 1], 0);
    const context = {
      config: c,
      encoder,
      createEncoder: () => buildEncoder(c.model, [28, 28, 1], 0),
      rng: createRng(3),
      log: () => undefined,
    } as unknown as MethodContext<CctConfig>;
    const views = [0, 1, 2].map((v) => tf.add(tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 10 + v), v * 0.2) as tf.Tensor4D);
    return { c, encoder, context, views };
  };
  const batch = { indices: new Int32Array(8), epoch: 0, step: 0 };

  it("small-scale encodeViews 'separately' is cctLoss of one forward per view", async () => {
    const { c, encoder, context, views } = await setup('smoke', { encodeViews: 'separately' });
    const method = createCctMethod(context);
    const got = method.loss(views, batch);
    const m = c.method;
    const want = cctLoss(
      views.map((v) => encoder.forward(v).projections),
      { tPos: m.tPos, tNeg: m.tNeg, alpha: m.alpha, beta: m.beta, debiased: false, tauPlus: 0.1, detachWeights: m.detachWeights },
    );
    const together = createCctMethod({ ...context, config: { ...c, method: { ...c.method, encodeViews: 'together' } } }).loss(views, batch);
    const [g, w, t] = [(await got.data())[0]!, (await want.data())[0]!, (await together.data())[0]!];
    expect(g).toBeCloseTo(w, 5);
    expect(Math.abs(g - t)).toBeGreaterThan(1e-5);
    tf.dispose([got, want, together, ...views]);
    method.dispose();
    encoder.model.dispose();
  });

  it('queue candidateGroups 2 is the mean of the two halves\' losses (per-GPU candidates)', async () => {
    const { c, encoder, context, views } = await setup('smoke-queue', { candidateGroups: 2, shuffleBn: false });
    const method = createCctMethod(context);
    method.prepare!(views, batch);
    const got = method.loss(views, batch);
    // By hand: at step 0 the momentum copy equals the online encoder, so the keys are its
    // train-mode projections; each half contrasts only with its own queries (and the queue).
    const queries = views.map((v) => encoder.forward(v).projections);
    const k = views.map((v) => (encoder.model.apply(v, { training: true }) as tf.Tensor[])[1] as tf.Tensor2D);
    const negatives = method.getState!({ inEpoch: false }).tensors!['queue'] as tf.Tensor2D;
    const m = c.method;
    const options = { tPos: m.tPos, tNeg: m.tNeg, alpha: m.alpha, beta: m.beta, detachWeights: m.detachWeights };
    const half = (t: tf.Tensor2D, g: number) => tf.slice(t, [g * 4, 0], [4, -1]);
    const want = tf.div(
      tf.add(
        cctQueueLoss(queries.map((q) => half(q, 0)), k.map((x) => half(x, 0)), negatives, options),
        cctQueueLoss(queries.map((q) => half(q, 1)), k.map((x) => half(x, 1)), negatives, options),
      ),
      2,
    );
    const whole = cctQueueLoss(queries, k, negatives, options);
    const [g, w, a] = [(await got.data())[0]!, (await want.data())[0]!, (await whole.data())[0]!];
    expect(g).toBeCloseTo(w, 4);
    expect(Math.abs(g - a)).toBeGreaterThan(1e-5);
    tf.dispose([got, want, whole, ...views, ...queries, ...k]);
    method.dispose();
    encoder.model.dispose();
  });

  it('rejects candidateGroups that do not divide the batch', async () => {
    const { context, views, encoder } = await setup('smoke-queue', { candidateGroups: 3 });
    expect(() => createCctMethod(context)).toThrow(/'method.candidateGroups' must divide train.batchSize \(32\); got 3/);
    tf.dispose(views);
    encoder.model.dispose();
  });
});

