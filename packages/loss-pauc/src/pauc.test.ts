import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import { protoNceLoss, prototypeColumns, type Clustering } from '@contrastive/loss-protonce';
import { checkGradients, describeBackends, expectClose, expectNoLeak, normalizeRows, toTensor2d, useBackend, type Matrix } from '@contrastive/test-utils';
import { asMatrix, f32Matrix, thrownCode } from '@contrastive/test-utils/reference/infonce';
import {
  paucAlignmentReference,
  paucCorrelationReference,
  paucReference,
  paucUniformityReference,
} from '@contrastive/test-utils/reference/pauc';
import type { RefClustering } from '@contrastive/test-utils/reference/protonce';
import * as api from './index';
import { paucAlignmentTerm, paucCorrelationTerm, paucLoss, paucTerms, paucUniformityTerm } from './index';

function value(t: tf.Tensor): number {
  expect(t.shape).toEqual([]);
  expect(t.dtype).toBe('float32');
  return t.dataSync()[0]!;
}

interface Data {
  prototypes: Matrix;
  phi: Float64Array;
  assignment: Int32Array;
}

function makeData(seed: number, batch: number, k: number, dim: number, phiLow = 0.1, phiHigh = 0.5): Data {
  const rng = createRng(seed);
  const p = normalizeRows(f32Matrix(seed + 1, k, dim));
  const prototypes = { ...p, data: Float64Array.from(Float32Array.from(p.data)) };
  const phi = Float64Array.from(Float32Array.from({ length: k }, () => rng.uniform(phiLow, phiHigh)));
  const assignment = Int32Array.from({ length: batch }, () => rng.int(Math.max(1, Math.min(k - 1, batch))));
  return { prototypes, phi, assignment };
}

function clustering(d: Data): Clustering {
  return { prototypes: toTensor2d(d.prototypes), concentration: tf.tensor1d(Float32Array.from(d.phi)), assignment: d.assignment };
}

function release(cs: Clustering[]): void {
  for (const c of cs) tf.dispose([c.prototypes, c.concentration]);
}

describeBackends(['cpu', 'wasm'], () => {
  it('each term matches the float64 reference over sizes, t and concentrations', () => {
    let seed = 900;
    for (const [batch, k] of [[2, 3], [5, 9], [12, 40]] as const) {
      for (const [phiLow, phiHigh, t] of [[0.05, 0.1, 0.5], [0.1, 0.5, 2], [1, 10, 10]] as const) {
        const dim = 4;
        const data = [makeData(seed++, batch, k, dim, phiLow, phiHigh), makeData(seed++, batch, k + 3, dim, phiLow, phiHigh)];
        const [q1, q2] = [f32Matrix(seed++, batch, dim), f32Matrix(seed++, batch, dim)];
        const [query, query2] = [toTensor2d(q1), toTensor2d(q2)];
        const clusterings = data.map(clustering);
        const refs = data.map((d) => ({ prototypes: d.prototypes, concentration: d.phi, assignment: d.assignment }));
        const inputs = { query, query2, clusterings };
        const a = expectNoLeak(() => paucAlignmentTerm(inputs));
        const u = expectNoLeak(() => paucUniformityTerm(inputs, { uniformityT: t }));
        const c = expectNoLeak(() => paucCorrelationTerm(inputs));
        expectClose(value(a), paucAlignmentReference(q1, refs), { atol: 2e-5, rtol: 1e-4 });
        expectClose(value(u), paucUniformityReference(q1, refs, { t }), { atol: 2e-5, rtol: 1e-4 });
        expectClose(value(c), paucCorrelationReference(q1, q2, refs), { atol: 1e-4, rtol: 2e-4 });
        tf.dispose([query, query2, a, u, c]);
        release(clusterings);
      }
    }
  });

  it('paucLoss matches the reference, and equals protoNceLoss exactly when all weights are 0', () => {
    const [batch, dim] = [8, 5];
    const data = [makeData(1, batch, 14, dim), makeData(2, batch, 20, dim)];
    const [q1, q2, k, n] = [f32Matrix(3, batch, dim), f32Matrix(4, batch, dim), f32Matrix(5, batch, dim), f32Matrix(6, 16, dim)];
    const [query, query2, key, negatives] = [q1, q2, k, n].map(toTensor2d) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const clusterings = data.map(clustering);
    const inputs = { query, query2, key, negatives, clusterings };
    const base = { temperature: 0.2, negativePrototypes: 4, seed: 3 };
    const rng = createRng(3);
    const refs: RefClustering[] = data.map((d) => {
      const cols = prototypeColumns('t', d.assignment, d.prototypes.rows, 4, true, rng);
      return { prototypes: d.prototypes, concentration: d.phi, assignment: d.assignment, negativeIds: cols.columns.subarray(cols.positives) };
    });
    for (const weights of [{}, { alignmentWeight: 0.5, uniformityWeight: 2, correlationWeight: 0.1 }]) {
      const loss = expectNoLeak(() => paucLoss(inputs, { ...base, ...weights }));
      expectClose(value(loss), paucReference({ query: q1, query2: q2, key: k, negatives: n, clusterings: refs }, { temperature: 0.2, ...weights }), { atol: 1e-4, rtol: 1e-4 });
      loss.dispose();
    }
    const zero = paucLoss({ query, key, negatives, clusterings }, { ...base, alignmentWeight: 0, uniformityWeight: 0, correlationWeight: 0 });
    const proto = protoNceLoss({ query, key, negatives, clusterings }, base);
    expect(value(zero)).toBe(value(proto));
    // Without clusterings (warm-up) every term is off: InfoNCE alone, as ProtoNCE.
    const warm = paucLoss({ query, query2, key, negatives, clusterings: [] }, base);
    const warmProto = protoNceLoss({ query, key, negatives, clusterings: [] }, base);
    expect(value(warm)).toBe(value(warmProto));
    const terms = expectNoLeak(() => paucTerms(inputs, base));
    expect(Object.keys(terms).sort()).toEqual(['alignment', 'correlation', 'protoNce', 'uniformity']);
    const total = paucLoss(inputs, base);
    const recombined = value(terms.protoNce) + value(terms.alignment) + value(terms.uniformity) + 0.01 * value(terms.correlation);
    expectClose(value(total), recombined, { atol: 1e-5, rtol: 1e-5 });
    tf.dispose([query, query2, key, negatives, zero, proto, warm, warmProto, total, ...Object.values(terms)]);
    release(clusterings);
  });

  it('alignment falls as a view moves toward its prototype; uniformity falls as assignments spread', () => {
    const prototypes = tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    const concentration = tf.tensor1d([0.1, 0.1, 0.1]);
    const c = { prototypes, concentration, assignment: Int32Array.from([0, 1, 2]) };
    const far = tf.tensor2d([[0.2, 1, 1], [1, 0.2, 1], [1, 1, 0.2]]);
    const near = tf.tensor2d([[1, 0.2, 0.2], [0.2, 1, 0.2], [0.2, 0.2, 1]]);
    expect(value(paucAlignmentTerm({ query: near, clusterings: [c] }))).toBeLessThan(value(paucAlignmentTerm({ query: far, clusterings: [c] })));
    // All rows alike: identical assignment vectors, uniformity at its maximum 0.
    const alike = tf.tensor2d([[1, 0.1, 0], [1, 0.1, 0], [1, 0.1, 0]]);
    const spread = near;
    const uAlike = value(paucUniformityTerm({ query: alike, clusterings: [c] }));
    expectClose(uAlike, 0, { atol: 1e-6 });
    expect(value(paucUniformityTerm({ query: spread, clusterings: [c] }))).toBeLessThan(uAlike - 0.5);
    tf.dispose([prototypes, concentration, far, near, alike]);
  });

  it('stays finite at temperature 0.02, phi 0.02, inputs of norm 1e3 and a 65536-entry queue', () => {
    const [batch, dim] = [8, 16];
    const [query, query2, key] = [1, 2, 3].map((s) => toTensor2d(f32Matrix(s, batch, dim, 250))) as tf.Tensor2D[];
    const negatives = toTensor2d(f32Matrix(4, 65536, dim, 250));
    const clusterings = [clustering(makeData(5, batch, 500, dim, 0.02, 0.02))];
    const grads = tf.tidy(() =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        paucLoss({ query: a as tf.Tensor2D, query2: b as tf.Tensor2D, key: key!, negatives, clusterings }, { temperature: 0.02, negativePrototypes: 400, correlationWeight: 1 }),
      )([query!, query2!]),
    );
    for (const g of grads) expect(g.dataSync().every(Number.isFinite)).toBe(true);
    const loss = paucLoss({ query: query!, query2: query2!, key: key!, negatives, clusterings }, { temperature: 0.02, negativePrototypes: 400 });
    expect(Number.isFinite(value(loss))).toBe(true);
    tf.dispose([query!, query2!, key!, negatives, loss, ...grads]);
    release(clusterings);
  });
});

describe('gradients against finite differences of the reference (cpu)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  const [batch, dim] = [4, 3];
  const data = [makeData(61, batch, 6, dim, 0.3, 0.8)];
  data[0]!.assignment.set([0, 2, 2, 4]);
  const refs = data.map((d) => ({ prototypes: d.prototypes, concentration: d.phi, assignment: d.assignment }));
  const [q1, q2] = [f32Matrix(62, batch, dim), f32Matrix(63, batch, dim)];
  const inputs = [{ values: q1.data, shape: [batch, dim] }, { values: q2.data, shape: [batch, dim] }];
  it('of the alignment term', () => {
    const cs = data.map(clustering);
    checkGradients((x) => paucAlignmentTerm({ query: x as tf.Tensor2D, clusterings: cs }), (x) => paucAlignmentReference(asMatrix(x, dim), refs), [inputs[0]!]);
    release(cs);
  });
  for (const t of [2, 0.5]) {
    it(`of the uniformity term, t = ${t}`, () => {
      const cs = data.map(clustering);
      checkGradients((x) => paucUniformityTerm({ query: x as tf.Tensor2D, clusterings: cs }, { uniformityT: t }), (x) => paucUniformityReference(asMatrix(x, dim), refs, { t }), [inputs[0]!]);
      release(cs);
    });
  }
  it('of the correlation term, both views', () => {
    const cs = data.map(clustering);
    checkGradients(
      (x, y) => paucCorrelationTerm({ query: x as tf.Tensor2D, query2: y as tf.Tensor2D, clusterings: cs }),
      (x, y) => paucCorrelationReference(asMatrix(x, dim), asMatrix(y, dim), refs),
      inputs,
      { atol: 2e-3, rtol: 5e-3, step: 1e-4 },
    );
    release(cs);
  });
  it('of paucLoss with every term on', () => {
    const cs = data.map(clustering);
    const [k, n] = [f32Matrix(64, batch, dim), f32Matrix(65, 5, dim)];
    const [key, negatives] = [toTensor2d(k), toTensor2d(n)];
    const cols = prototypeColumns('t', data[0]!.assignment, 6, 2, true, createRng(4));
    const full = [{ ...refs[0]!, negativeIds: cols.columns.subarray(cols.positives) }];
    const options = { temperature: 0.3, negativePrototypes: 2, seed: 4, correlationWeight: 0.1 };
    checkGradients(
      (x, y) => paucLoss({ query: x as tf.Tensor2D, query2: y as tf.Tensor2D, key, negatives, clusterings: cs }, options),
      (x, y) => paucReference({ query: asMatrix(x, dim), query2: asMatrix(y, dim), key: k, negatives: n, clusterings: full }, options),
      inputs,
      { atol: 5e-4, rtol: 2e-3, step: 1e-4 },
    );
    tf.dispose([key, negatives]);
    release(cs);
  });
});

describe('input checks and API', () => {
  it('throw ContrastiveError with the code and argument', () => {
    const query = tf.zeros([3, 4]) as tf.Tensor2D;
    const one = tf.zeros([1, 4]) as tf.Tensor2D;
    const other = tf.zeros([3, 2]) as tf.Tensor2D;
    const negatives = tf.zeros([5, 4]) as tf.Tensor2D;
    const c = { prototypes: tf.zeros([6, 4]) as tf.Tensor2D, concentration: tf.ones([6]) as tf.Tensor1D, assignment: Int32Array.from([0, 1, 1]) };
    const inputs = { query, key: query, negatives, clusterings: [c] };
    const o = { negativePrototypes: 2 };
    expect(thrownCode(() => paucLoss(inputs, o))).toEqual({ code: 'INVALID_ARGUMENT', argument: 'query2' });
    expect(thrownCode(() => paucLoss({ ...inputs, query2: other }, o))).toEqual({ code: 'SHAPE_MISMATCH', argument: 'query2' });
    expect(thrownCode(() => paucLoss({ ...inputs, query2: query }, { ...o, alignmentWeight: -1 }))).toEqual({ code: 'OUT_OF_RANGE', argument: 'alignmentWeight' });
    expect(thrownCode(() => paucLoss({ ...inputs, query2: query }, { ...o, uniformityT: 0 }))).toEqual({ code: 'OUT_OF_RANGE', argument: 'uniformityT' });
    expect(thrownCode(() => paucLoss({ ...inputs, query2: query }, { negativePrototypes: 9 }))).toEqual({ code: 'OUT_OF_RANGE', argument: 'negativePrototypes' });
    expect(thrownCode(() => paucLoss({ ...inputs, query2: query }, { ...o, temperature: -1 }))).toEqual({ code: 'OUT_OF_RANGE', argument: 'temperature' });
    expect(thrownCode(() => paucUniformityTerm({ query: one, clusterings: [{ ...c, assignment: Int32Array.from([0]) }] }))).toEqual({ code: 'SHAPE_MISMATCH', argument: 'query' });
    expect(thrownCode(() => paucAlignmentTerm({ query, clusterings: [{ ...c, assignment: Int32Array.from([0, 1, 7]) }] }))).toEqual({ code: 'OUT_OF_RANGE', argument: 'clusterings[0].assignment' });
    tf.dispose([query, one, other, negatives, c.prototypes, c.concentration]);
  });

  it('exports exactly these names, with frozen defaults', () => {
    expect(Object.keys(api).sort()).toEqual([
      'PAUC_CORRELATION_EPSILON',
      'PAUC_DEFAULTS',
      'paucAlignmentTerm',
      'paucCorrelationTerm',
      'paucLoss',
      'paucTerms',
      'paucUniformityTerm',
    ]);
    expect(Object.isFrozen(api.PAUC_DEFAULTS)).toBe(true);
    expect(api.PAUC_DEFAULTS).toMatchObject({ alignmentWeight: 1, uniformityWeight: 1, correlationWeight: 0.01, uniformityT: 2 });
  });
});
