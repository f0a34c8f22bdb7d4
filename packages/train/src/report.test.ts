import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import { createRun, pca2d, renderReport, writeReport, type MetricRecord } from './index';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'contrastive-report-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function records(): MetricRecord[] {
  const out: MetricRecord[] = [];
  let step = 0;
  for (let epoch = 0; epoch < 3; epoch++) {
    for (let b = 0; b < 4; b++) {
      step += 1;
      out.push({ step, epoch, loss: 5 - step * 0.25, lr: 0.125 * step });
    }
    out.push({ step, epoch, knnTop1: 0.5 + 0.125 * epoch, alignment: 1 - 0.25 * epoch, uniformity: -1 - 0.5 * epoch });
  }
  return out;
}

/** Three labelled Gaussian clusters in 8-D, projected with pca2d. */
function embedding(): [number, number, number][] {
  const rng = createRng(4);
  const n = 60;
  const d = 8;
  const values: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 3;
    labels.push(label);
    for (let c = 0; c < d; c++) values.push((c === label ? 6 : 0) + rng.normal());
  }
  const { points } = pca2d(values, [n, d]);
  return labels.map((l, i) => [points[2 * i]!, points[2 * i + 1]!, l]);
}

/** d3-format prints negative numbers with U+2212 MINUS SIGN. */
const minus = (v: unknown): string => String(v).replace('-', '\u2212');

function count(haystack: string, needle: string | RegExp): number {
  return haystack.split(needle).length - 1;
}

describe('renderReport', () => {
  it('inlines one SVG per curve and the embedding scatter, with every plotted point', async () => {
    const recs = records();
    const emb = embedding();
    const html = await renderReport({ title: 'simclr · smoke', records: recs, embedding: emb && { points: emb }, config: { seed: 1 } });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(count(html, '<svg')).toBe(6);
    for (const id of ['loss', 'lr', 'knn', 'alignment', 'uniformity', 'embedding']) expect(html).toContain(`id="chart-${id}"`);
    // Every step's loss and lr, and every epoch's kNN/alignment/uniformity, is a mark in the SVG.
    for (const r of recs) {
      if (typeof r['loss'] === 'number') {
        expect(html).toContain(`aria-label="step: ${r['step']}; loss: ${r['loss']}"`);
        expect(html).toContain(`aria-label="step: ${r['step']}; lr: ${r['lr']}"`);
      } else {
        expect(html).toContain(`aria-label="epoch: ${r['epoch']}; knnTop1: ${r['knnTop1']}"`);
        expect(html).toContain(`aria-label="epoch: ${r['epoch']}; alignment: ${r['alignment']}"`);
        expect(html).toContain(`aria-label="epoch: ${r['epoch']}; uniformity: ${minus(r['uniformity'])}"`);
      }
    }
    expect(html).toContain('id="chart-loss" data-points="12"');
    expect(html).toContain('id="chart-knn" data-points="3"');
    // 60 scatter circles, three colours (label 0, 1, 2 in the legend).
    expect(count(html, /aria-label="PC 1: [^"]*; label: [012]"/)).toBe(60);
    expect(html).toContain('id="chart-embedding" data-points="60"');
    // Self-contained: no scripts, stylesheets or remote resources to fetch.
    expect(html).not.toMatch(/<script|<link|<img|src=|url\(/i);
    expect(html.replace(/xmlns(:xlink)?="http[^"]*"/g, '')).not.toMatch(/https?:\/\//);
    expect(html).toContain('&quot;seed&quot;: 1');
  });

  it('draws the kNN chart\'s raw-pixel and random-init levels as labelled reference rules (the latest value of each)', async () => {
    const recs: MetricRecord[] = [
      { kind: 'knn-reference', epoch: 0, knnTop1RawPixels: 70, knnTop1RandomInit: 60 },
      { kind: 'knn-reference', epoch: 0, knnTop1RawPixels: 77.5, knnTop1RandomInit: 68.25 },
      ...records(),
    ];
    const html = await renderReport({ records: recs });
    expect(html).toContain('id="chart-knn" data-points="3" data-references="2"');
    expect(html).toContain('raw pixels 77.5 (dashed)');
    expect(html).toContain('random init 68.25 (dashed)');
    // Two rules and their text labels in the kNN SVG; the y scale reaches them.
    const knn = html.slice(html.indexOf('id="chart-knn"'), html.indexOf('id="chart-alignment"'));
    expect(count(knn, /aria-roledescription="rule mark"/)).toBe(2);
    expect(knn).toContain('raw pixels 77.5');
    expect(knn).toContain('random init 68.25');
    expect(knn).not.toContain('raw pixels 70<');
    // Charts without reference fields in the records draw none.
    expect(html).toContain('id="chart-alignment" data-points="3" data-references="0"');
  });

  it('notes missing series and downsamples long curves', async () => {
    const long: MetricRecord[] = Array.from({ length: 5000 }, (_, i) => ({ step: i + 1, loss: 1 / (i + 1) }));
    const html = await renderReport({ records: long, maxPointsPerCurve: 250 });
    expect(html).toContain('id="chart-loss" data-points="250"');
    expect(html).toContain('id="chart-knn" data-points="0"');
    expect(html).toMatch(/kNN top-1 accuracy: no data/);
    expect(count(html, '<svg')).toBe(1);
  });

  it('writeReport reads a run folder and writes report.html', async () => {
    const run = await createRun({ root, app: 'moco', preset: 'smoke', config: { lr: 0.06 }, seed: 3, backend: 'cpu' });
    for (const r of records()) run.log(r);
    const path = await writeReport(run.dir, { embedding: { points: embedding() } });
    expect(path).toBe(run.reportPath);
    const html = await readFile(path, 'utf8');
    expect(html).toContain('<title>moco · smoke</title>');
    expect(count(html, '<svg')).toBe(6);
    expect(html).toContain('&quot;lr&quot;: 0.06');
  });
});
