import { describe, expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import { describeBackends, expectClose, roundToFloat32, type Matrix } from '@contrastive/test-utils';
import { assignReference, lloydReference } from '@contrastive/test-utils/reference/cluster';
import { boundedLloyd, targetGroups, type LloydStep } from './bounded-lloyd';
import { rowSquaredNorms, type FeatureMatrix } from './feature-matrix';
import { clusterSums } from './update-centroids';

function featureMatrix(x: Matrix): FeatureMatrix {
  const data = Float32Array.from(x.data);
  return { rows: x.rows, cols: x.cols, data, squaredNorms: rowSquaredNorms(data, x.rows, x.cols) };
}

/** n rows around `blobs` Gaussian centres (scale 6) with noise `spread`, rounded to float32. */
function mixture(seed: number, n: number, d: number, blobs: number, spread: number): Matrix {
  const rng = createRng(seed);
  const centres = Array.from({ length: blobs }, () => Array.from({ length: d }, () => 6 * rng.normal()));
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) data[i * d + a] = centres[i % blobs]![a]! + spread * rng.normal();
  return roundToFloat32({ rows: n, cols: d, data });
}

/** Runs boundedLloyd from `init`, scoring the first E-step or given it (`seeded`), against the float64 reference. */
async function expectPlainLloyd(x: Matrix, init: Matrix): Promise<LloydStep[]> {
  const steps: LloydStep[] = [];
  for (const seeded of [undefined, Int32Array.from(assignReference(x, init).assignment)]) {
    const run = await boundedLloyd(
      featureMatrix(x),
      Float64Array.from(init.data),
      { k: init.rows, iterations: 40, emptyClusters: 'split-largest', chunkElements: 1 << 22 },
      seeded,
    );
    expect(run.emptyRepaired).toBe(0);
    expect(run.steps[0]).toBe(seeded === undefined ? 'refresh' : 'seeded');
    expect(run.rowsScored[0]).toBe(seeded === undefined ? x.rows : 0);
    const expected = lloydReference(x, init, run.iterations);
    expectClose(run.centroids, expected.data, { atol: 1e-5, rtol: 1e-5 });
    expect(Array.from(run.assignment)).toEqual(assignReference(x, expected).assignment);
    // A fixed point: one more reference step changes nothing.
    expectClose(lloydReference(x, init, run.iterations + 1).data, expected.data, { atol: 1e-9 });
    steps.push(...run.steps);
  }
  return steps;
}

// wasm: score blocks are read as views of the wasm heap (read-block.ts), cpu: through data().
describeBackends(['cpu', 'wasm'], () => describe('boundedLloyd (Yinyang bounds)', () => {
  it('one group (Hamerly): skips rows whose bounds prove they stay, and equals plain Lloyd', async () => {
    const x = mixture(8, 250, 3, 5, 1);
    const init = roundToFloat32({ rows: 6, cols: 3, data: Float64Array.from(x.data.slice(0, 18)) });
    const run = await boundedLloyd(featureMatrix(x), Float64Array.from(init.data), {
      k: 6,
      iterations: 30,
      emptyClusters: 'split-largest',
      chunkElements: 1 << 22,
    });
    expect(Math.min(...run.rowsScored.slice(1))).toBeLessThan(250);
    expectClose(run.centroids, lloydReference(x, init, run.iterations).data, { atol: 1e-5, rtol: 1e-5 });
  });

  it('several groups: scores a fraction of the pairs, refreshes when that costs less, and equals plain Lloyd', async () => {
    const steps: LloydStep[] = [];
    // Separated blobs: grouped steps only; overlapping blobs: grouped and full refreshes.
    for (const spread of [0.5, 20]) {
      const x = mixture(3, 800, 5, 8, spread);
      const init = roundToFloat32({ rows: 80, cols: 5, data: Float64Array.from(x.data.slice(0, 400)) });
      steps.push(...(await expectPlainLloyd(x, init)));
    }
    expect(steps.filter((s) => s === 'grouped').length).toBeGreaterThan(10);
    expect(steps.filter((s) => s === 'refresh').length).toBeGreaterThan(2);
  });

  it('breaks exact ties across groups to the lowest centroid index', async () => {
    // Two groups: the negative centroids (seeded by centroid 0) and the positive ones (seeded by
    // centroid 20). Centroid 3 (+10, second group) and centroid 5 (-10, first group) tie for row 0.
    const negatives = Array.from({ length: 14 }, (_, j) => -10.5 - j / 2);
    const positives = Array.from({ length: 19 }, (_, j) => 10.5 + j / 2);
    const init = [-14.25, -13.25, -12.25, 10, -11.25, -10, ...negatives, 14.25, ...positives];
    const x = roundToFloat32({ rows: 5, cols: 1, data: Float64Array.from([0, 12, -12, 13, -13]) });
    expect(init.length).toBe(40);
    expect(targetGroups(5, 40)).toBe(2);
    const run = await boundedLloyd(featureMatrix(x), Float64Array.from(init), {
      k: 40,
      iterations: 0,
      emptyClusters: 'split-largest',
      chunkElements: 1 << 22,
    });
    expect(run.assignment[0]).toBe(3);
    expect(Array.from(run.assignment)).toEqual(assignReference(x, { rows: 40, cols: 1, data: Float64Array.from(init) }).assignment);
  });

  it('scores only small parts of N x k once centroids settle; running sums give the member means', async () => {
    const x = mixture(5, 1000, 6, 10, 0.5);
    const m = featureMatrix(x);
    const init = Float64Array.from(x.data.slice(0, 60 * 6));
    // Three centroids far from every row: empty after the first E-step, repaired from the farthest points.
    init.fill(1000, 57 * 6);
    const run = await boundedLloyd(m, init, { k: 60, iterations: 40, emptyClusters: 'farthest-point', chunkElements: 512 });
    expect(run.steps[0]).toBe('refresh');
    expect(run.emptyRepaired).toBeGreaterThanOrEqual(3);
    expect(run.iterations).toBeLessThan(40);
    expect(Math.min(...run.work.slice(1))).toBeLessThan(0.1);
    expect(Array.from(run.assignment)).toEqual(
      assignReference(x, { rows: 60, cols: 6, data: run.centroids }).assignment,
    );
    // A fixed point: every centroid is the mean of its members, summed afresh in float64.
    const fresh = clusterSums(m, run.assignment, 60);
    const means = run.centroids.map((_, e) => fresh.sums[e]! / fresh.counts[Math.floor(e / 6)]!);
    expectClose(run.centroids, means, { atol: 1e-9, rtol: 1e-9 });
  });
}));
