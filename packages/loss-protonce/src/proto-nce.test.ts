import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import { infoNceLoss } from '@contrastive/loss-infonce';
import { checkGradients, describeBackends, useBackend, expectClose, expectNoLeak, expectNoLeakAsync, normalizeRows, toTensor2d, type Matrix } from '@contrastive/test-utils';
import { asMatrix, f32Matrix, fromRows, SPEC_VECTORS, thrownCode } from '@contrastive/test-utils/reference/infonce';
import { protoNceReference, prototypeTermReference, type RefClustering } from '@contrastive/test-utils/reference/protonce';
import { prototypeColumns, protoNceLoss, prototypeNceTerm, readAssignment, type Clustering } from './index';

function value(t: tf.Tensor): number {
  expect(t.shape).toEqual([]);
  expect(t.dtype).toBe('float32');
  return t.dataSync()[0]!;
}

/** Seeded clustering: unit prototypes, phi in [phiLow, phiHigh], random assignment. */
function makeClustering(seed: number, batch: number, k: number, dim: number, phiLow = 0.05, phiHigh = 1) {
  const rng = createRng(seed);
  const prototypes = normalizeRows(f32Matrix(seed + 1, k, dim));
  const protoF32: Matrix = { ...prototypes, data: Float64Array.from(Float32Array.from(prototypes.data)) };
  const phi = Float64Array.from(Float32Array.from({ length: k }, () => Math.exp(rng.uniform(Math.log(phiLow), Math.log(phiHigh)))));
  const assignment = Int32Array.from({ length: batch }, () => rng.int(Math.min(k, Math.max(1, batch - 1))));
  return { protoF32, phi, assignment };
}

function toClustering(c: ReturnType<typeof makeClustering>): Clustering {
  return { prototypes: toTensor2d(c.protoF32), concentration: tf.tensor1d(Float32Array.from(c.phi)), assignment: c.assignment };
}

function refClustering(c: ReturnType<typeof makeClustering>, r: number, dedupe: boolean, seed: number): RefClustering {
  const cols = prototypeColumns('test', c.assignment, c.protoF32.rows, r, dedupe, createRng(seed));
  return { prototypes: c.protoF32, concentration: c.phi, assignment: c.assignment, negativeIds: cols.columns.subarray(cols.positives) };
}

function disposeClustering(c: Clustering): void {
  tf.dispose([c.prototypes, c.concentration]);
}

describeBackends(['cpu', 'wasm'], () => {
  it('prototypeNceTerm matches the float64 reference over sizes, r, concentrations and both layouts', () => {
    let seed = 700;
    for (const [batch, k, r] of [[1, 3, 2], [2, 5, 3], [6, 20, 10], [16, 64, 40]] as const) {
      for (const [phiLow, phiHigh] of [[0.05, 0.2], [0.5, 10]] as const) {
        for (const dedupe of [true, false]) {
          const dim = 4;
          const data = makeClustering(seed++, batch, k, dim, phiLow, phiHigh);
          const q = f32Matrix(seed++, batch, dim);
          const query = toTensor2d(q);
          const clustering = toClustering(data);
          const options = { negativePrototypes: r, seed: seed, dedupePrototypes: dedupe };
          const loss = expectNoLeak(() => prototypeNceTerm(query, clustering, options));
          const want = prototypeTermReference(q, refClustering(data, r, dedupe, seed), { dedupe });
          expectClose(value(loss), want, { atol: 3e-5, rtol: 3e-5 });
          tf.dispose([query, loss]);
          disposeClustering(clustering);
        }
      }
    }
  });

  it('reproduces the spec §8 ProtoNCE toy (CE = 1.528175) in both layouts', () => {
    const query = tf.tensor2d(SPEC_VECTORS.z1 as number[][]);
    const prototypes = toTensor2d(normalizeRows(fromRows([[1, 0.1, 0], [0, 1, 0.1], [0.6, 0.8, 0], [0, 0, 1]])));
    const concentration = tf.tensor1d([0.1, 0.2, 0.3, 0.4]);
    const clustering = { prototypes, concentration, assignment: Int32Array.from([0, 1, 2]) };
    for (const dedupePrototypes of [true, false]) {
      const loss = prototypeNceTerm(query, clustering, { negativePrototypes: 1, dedupePrototypes });
      expectClose(value(loss), 1.528175, { atol: 2e-6, rtol: 0 });
      loss.dispose();
    }
    tf.dispose([query, prototypes, concentration]);
  });

  it('fixes the duplicate-prototype floor of log 2 (salesforce/PCL issue #5)', () => {
    // Two rows in cluster 0, each equal to its prototype, sharp phi: with the
    // fix the loss goes to 0; the official layout leaves both rows at log 2.
    const query = tf.tensor2d([[1, 0], [1, 0]]);
    const prototypes = tf.tensor2d([[1, 0], [0, 1], [-1, 0]]);
    const concentration = tf.tensor1d([0.01, 0.01, 0.01]);
    const clustering = { prototypes, concentration, assignment: Int32Array.from([0, 0]) };
    const fixed = prototypeNceTerm(query, clustering, { negativePrototypes: 2 });
    const official = prototypeNceTerm(query, clustering, { negativePrototypes: 2, dedupePrototypes: false });
    expectClose(value(fixed), 0, { atol: 1e-6 });
    expectClose(value(official), Math.log(2), { atol: 1e-6 });
    tf.dispose([query, prototypes, concentration, fixed, official]);
  });

  it('protoNceLoss is InfoNCE plus the mean prototype term, and InfoNCE alone without clusterings', () => {
    const [batch, dim] = [8, 6];
    const [q, k, n] = [f32Matrix(1, batch, dim), f32Matrix(2, batch, dim), f32Matrix(3, 24, dim)];
    const [query, key, negatives] = [toTensor2d(q), toTensor2d(k), toTensor2d(n)];
    const data = [makeClustering(10, batch, 12, dim), makeClustering(20, batch, 30, dim)];
    const clusterings = data.map(toClustering);
    const options = { temperature: 0.2, negativePrototypes: 4, seed: 9 };
    const loss = expectNoLeak(() => protoNceLoss({ query, key, negatives, clusterings }, options));
    // One generator, drawn in clustering order.
    const rng = createRng(9);
    const refs = data.map((d) => {
      const cols = prototypeColumns('t', d.assignment, d.protoF32.rows, 4, true, rng);
      return { prototypes: d.protoF32, concentration: d.phi, assignment: d.assignment, negativeIds: cols.columns.subarray(cols.positives) };
    });
    expectClose(value(loss), protoNceReference(q, k, n, refs, { temperature: 0.2 }), { atol: 3e-5, rtol: 3e-5 });
    const warmup = protoNceLoss({ query, key, negatives, clusterings: [] }, options);
    const instance = infoNceLoss(query, key, negatives, { temperature: 0.2 });
    expect(value(warmup)).toBe(value(instance));
    tf.dispose([query, key, negatives, loss, warmup, instance]);
    clusterings.forEach(disposeClustering);
  });

  it('stays finite at temperature 0.02, phi 0.02, inputs of norm 1e3 and a 65536-entry queue', () => {
    const [batch, dim] = [8, 16];
    const query = toTensor2d(f32Matrix(1, batch, dim, 250));
    const key = toTensor2d(f32Matrix(2, batch, dim, 250));
    const negatives = toTensor2d(f32Matrix(3, 65536, dim, 250));
    const data = makeClustering(4, batch, 2000, dim, 0.02, 0.02);
    const clustering = toClustering(data);
    const [loss, grad] = tf.tidy(() => {
      const g = tf.valueAndGrad((x: tf.Tensor) =>
        protoNceLoss({ query: x as tf.Tensor2D, key, negatives, clusterings: [clustering] }, { temperature: 0.02, negativePrototypes: 1990 }),
      )(query);
      return [g.value, g.grad];
    });
    expect(Number.isFinite(value(loss))).toBe(true);
    expect(grad.dataSync().every(Number.isFinite)).toBe(true);
    tf.dispose([query, key, negatives, loss, grad]);
    disposeClustering(clustering);
  });
});

describe('gradients against finite differences of the reference (cpu)', () => {
  // cpu: differentiating with respect to the prototypes runs gather's
  // gradient (UnsortedSegmentSum), which plain tfjs wasm lacks.
  beforeAll(async () => {
    await useBackend('cpu');
  });
  const [batch, dim, k] = [4, 3, 7];
  const data = makeClustering(41, batch, k, dim, 0.1, 0.5);
  data.assignment.set([2, 5, 2, 0]);
  const q = f32Matrix(42, batch, dim);
  for (const o of [{ dedupe: true }, { dedupe: false }, { dedupe: true, normalize: false }]) {
    it(`prototypeNceTerm ${JSON.stringify(o)}`, () => {
      const ref = refClustering(data, 3, o.dedupe, 5);
      const clustering = toClustering(data);
      checkGradients(
        (x) => prototypeNceTerm(x as tf.Tensor2D, clustering, { negativePrototypes: 3, seed: 5, dedupePrototypes: o.dedupe, normalize: o.normalize ?? true }),
        (x) => prototypeTermReference(asMatrix(x, dim), ref, o),
        [{ values: q.data, shape: [batch, dim] }],
      );
      disposeClustering(clustering);
    });
  }
  it('protoNceLoss, query and (with stopGradientKey off) key; zero for the prototypes', () => {
    const [kk, n] = [f32Matrix(43, batch, dim), f32Matrix(44, 5, dim)];
    const clustering = toClustering(data);
    const ref = refClustering(data, 2, true, 8);
    const negatives = toTensor2d(n);
    checkGradients(
      (x, y) => protoNceLoss({ query: x as tf.Tensor2D, key: y as tf.Tensor2D, negatives, clusterings: [clustering] }, { temperature: 0.3, negativePrototypes: 2, seed: 8, stopGradientKey: false }),
      (x, y) => protoNceReference(asMatrix(x, dim), asMatrix(y, dim), n, [ref], { temperature: 0.3 }),
      [{ values: q.data, shape: [batch, dim] }, { values: kk.data, shape: [batch, dim] }],
    );
    const g = tf.tidy(() =>
      tf.grads((p: tf.Tensor, c: tf.Tensor) =>
        prototypeNceTerm(toTensor2d(q), { prototypes: p as tf.Tensor2D, concentration: c as tf.Tensor1D, assignment: data.assignment }, { negativePrototypes: 2 }),
      )([clustering.prototypes, clustering.concentration]),
    );
    expect(g.every((t) => t.dataSync().every((x) => x === 0))).toBe(true);
    tf.dispose([negatives, ...g]);
    disposeClustering(clustering);
  });
});

describe('input checks', () => {
  it('throw ContrastiveError with the code and argument', () => {
    const query = tf.zeros([3, 4]) as tf.Tensor2D;
    const prototypes = tf.zeros([6, 4]) as tf.Tensor2D;
    const concentration = tf.ones([6]) as tf.Tensor1D;
    const good = { prototypes, concentration, assignment: Int32Array.from([0, 1, 1]) };
    const empty = tf.zeros([0, 4]) as tf.Tensor2D;
    const rank1 = tf.zeros([4]) as unknown as tf.Tensor2D;
    const wrongDim = tf.zeros([6, 3]) as tf.Tensor2D;
    const shortPhi = tf.ones([5]) as tf.Tensor1D;
    const term = (c: Clustering, o = {}) => prototypeNceTerm(query, c, { negativePrototypes: 2, ...o });
    expect(thrownCode(() => prototypeNceTerm(rank1, good))).toEqual({ code: 'RANK_MISMATCH', argument: 'query' });
    expect(thrownCode(() => prototypeNceTerm(empty, { ...good, assignment: new Int32Array(0) }))).toEqual({ code: 'SHAPE_MISMATCH', argument: 'query' });
    expect(thrownCode(() => term(good, { negativePrototypes: 5 }))).toEqual({ code: 'OUT_OF_RANGE', argument: 'negativePrototypes' });
    expect(thrownCode(() => term(good, { negativePrototypes: -1 }))).toEqual({ code: 'OUT_OF_RANGE', argument: 'negativePrototypes' });
    expect(thrownCode(() => term({ ...good, assignment: Int32Array.from([0, 6, 1]) }))).toEqual({ code: 'OUT_OF_RANGE', argument: 'clustering.assignment' });
    expect(thrownCode(() => term({ ...good, assignment: Int32Array.from([0, -1, 1]) }))).toEqual({ code: 'OUT_OF_RANGE', argument: 'clustering.assignment' });
    expect(thrownCode(() => term({ ...good, assignment: Int32Array.from([0, 1]) }))).toEqual({ code: 'SHAPE_MISMATCH', argument: 'clustering.assignment' });
    expect(thrownCode(() => term({ ...good, assignment: [0, 1, 1] as unknown as Int32Array }))).toEqual({ code: 'DTYPE_MISMATCH', argument: 'clustering.assignment' });
    expect(thrownCode(() => term({ ...good, prototypes: wrongDim }))).toEqual({ code: 'SHAPE_MISMATCH', argument: 'clustering.prototypes' });
    expect(thrownCode(() => term({ ...good, concentration: shortPhi }))).toEqual({ code: 'SHAPE_MISMATCH', argument: 'clustering.concentration' });
    const negatives = tf.zeros([5, 4]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    expect(thrownCode(() => protoNceLoss({ query, key: query, negatives, clusterings: [good] }, { temperature: 0 }))).toEqual({ code: 'OUT_OF_RANGE', argument: 'temperature' });
    expect(thrownCode(() => protoNceLoss({ query, key: query, negatives, clusterings: [good, { ...good, assignment: Int32Array.from([9, 0, 0]) }] }, { negativePrototypes: 1 }))).toEqual({
      code: 'OUT_OF_RANGE',
      argument: 'clusterings[1].assignment',
    });
    expect(thrownCode(() => protoNceLoss({ query, key: empty, negatives, clusterings: [] }))).toEqual({ code: 'SHAPE_MISMATCH', argument: 'key' });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([query, prototypes, concentration, empty, rank1, wrongDim, shortPhi, negatives]);
  });

  it('readAssignment reads an int32 tensor without leaking', async () => {
    const t = tf.tensor1d([3, 1, 2], 'int32');
    const a = await expectNoLeakAsync(() => readAssignment(t));
    expect(a).toBeInstanceOf(Int32Array);
    expect(Array.from(a)).toEqual([3, 1, 2]);
    const f = tf.tensor1d([1, 2]);
    await expect(readAssignment(f)).rejects.toMatchObject({ code: 'DTYPE_MISMATCH', argument: 'assignment' });
    tf.dispose([t, f]);
  });
});
