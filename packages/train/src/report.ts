/**
 * `report.html`: training curves from metrics.jsonl (loss, lr, kNN top-1,
 * alignment, uniformity) and a 2-D embedding scatter coloured by label,
 * compiled with vega-lite, rendered headless by vega (`renderer: 'none'`,
 * `toSVG()`) and inlined, so the page needs no network and no script.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { argumentError, assertInteger } from '@contrastive/core';
import { writeFileAtomic } from './atomic-write';
import { readMetricsLog, type MetricRecord } from './metrics-log';

/** One chart of metric curves. */
export interface ReportChart {
  /** Element id suffix: the figure is `#chart-<id>`. */
  id: string;
  title: string;
  /** Record field on the x axis. */
  x: 'step' | 'epoch';
  /** Record fields plotted (one line each, coloured when several). */
  fields: readonly string[];
  /**
   * Reference levels drawn as dashed horizontal rules across the chart: the
   * latest finite value of each `field` in the records, labelled `label`
   * (e.g. the kNN accuracy of raw pixels and of the encoder at random init).
   */
  references?: readonly { field: string; label: string }[];
}

/**
 * The standard charts and the metric names apps log: `loss` and `lr` per step,
 * `knnTop1`, `alignment`, `uniformity` per epoch; the kNN chart draws
 * `knnTop1RawPixels` and `knnTop1RandomInit` as reference rules.
 */
export const REPORT_CHARTS: readonly ReportChart[] = Object.freeze([
  { id: 'loss', title: 'Training loss', x: 'step', fields: ['loss'] },
  { id: 'lr', title: 'Learning rate', x: 'step', fields: ['lr'] },
  {
    id: 'knn',
    title: 'kNN top-1 accuracy',
    x: 'epoch',
    fields: ['knnTop1'],
    references: [
      { field: 'knnTop1RawPixels', label: 'raw pixels' },
      { field: 'knnTop1RandomInit', label: 'random init' },
    ],
  },
  { id: 'alignment', title: 'Alignment (lower is better)', x: 'epoch', fields: ['alignment'] },
  { id: 'uniformity', title: 'Uniformity (lower is better)', x: 'epoch', fields: ['uniformity'] },
]);

/** Points of the embedding scatter: `[x, y, label]`, e.g. from {@link pca2d}. */
export interface ReportEmbedding {
  points: readonly (readonly [number, number, string | number])[];
  title?: string;
}

/** Options of {@link renderReport}. */
export interface ReportOptions {
  title?: string;
  records: readonly MetricRecord[];
  embedding?: ReportEmbedding;
  charts?: readonly ReportChart[];
  /** Shown in a collapsible block (e.g. config.json contents). */
  config?: unknown;
  /** Curves with more points are averaged into this many buckets. Default 1000. */
  maxPointsPerCurve?: number;
}

/** Defaults of {@link renderReport}. */
export const REPORT_DEFAULTS = Object.freeze({ title: 'Training report', maxPointsPerCurve: 1000 });

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Renders a vega-lite spec to an SVG string without a browser or canvas. */
export async function renderVegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Bucket means so that a long curve stays a small SVG. */
function downsample(points: { x: number; value: number }[], max: number): { x: number; value: number }[] {
  if (points.length <= max) return points;
  const out: { x: number; value: number }[] = [];
  const size = points.length / max;
  for (let b = 0; b < max; b++) {
    const slice = points.slice(Math.floor(b * size), Math.floor((b + 1) * size));
    if (slice.length === 0) continue;
    out.push({ x: slice[slice.length - 1]!.x, value: slice.reduce((s, p) => s + p.value, 0) / slice.length });
  }
  return out;
}

function curveValues(records: readonly MetricRecord[], chart: ReportChart, max: number): { x: number; value: number; series: string }[] {
  return chart.fields.flatMap((field) => {
    const pts = records
      .filter((r) => typeof r[chart.x] === 'number' && typeof r[field] === 'number' && Number.isFinite(r[field]))
      .map((r) => ({ x: r[chart.x] as number, value: r[field] as number }));
    return downsample(pts, max).map((p) => ({ ...p, series: field }));
  });
}

/** The latest finite value of each reference field of `chart`. */
export function referenceValues(records: readonly MetricRecord[], chart: ReportChart): { label: string; value: number }[] {
  const out: { label: string; value: number }[] = [];
  for (const ref of chart.references ?? []) {
    let value: number | undefined;
    for (const r of records) {
      const v = r[ref.field];
      if (typeof v === 'number' && Number.isFinite(v)) value = v;
    }
    if (value !== undefined) out.push({ label: ref.label, value });
  }
  return out;
}

function curveSpec(
  chart: ReportChart,
  values: { x: number; value: number; series: string }[],
  references: { label: string; value: number }[],
): TopLevelSpec {
  const several = chart.fields.length > 1;
  const x = { field: 'x', type: 'quantitative', title: chart.x } as const;
  const y = { field: 'value', type: 'quantitative', title: several ? 'value' : chart.fields[0]!, scale: { zero: false } } as const;
  const line = {
    mark: { type: 'line', point: values.length <= 200, tooltip: false },
    encoding: { x, y, ...(several ? { color: { field: 'series', type: 'nominal', title: null } } : {}) },
  } as const;
  const base = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title: chart.title, width: 420, height: 200 } as const;
  if (references.length === 0) return { ...base, data: { values }, ...line } as TopLevelSpec;
  const right = Math.max(...values.map((v) => v.x));
  return {
    ...base,
    layer: [
      { data: { values }, ...line },
      {
        data: { values: references },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#888' },
        encoding: { y: { field: 'value', type: 'quantitative' } },
      },
      {
        data: { values: references.map((r) => ({ ...r, x: right, text: `${r.label} ${Number(r.value.toPrecision(4))}` })) },
        mark: { type: 'text', align: 'right', baseline: 'bottom', dy: -2, fontSize: 10, color: '#555' },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' }, text: { field: 'text', type: 'nominal' } },
      },
    ],
  } as TopLevelSpec;
}

function scatterSpec(embedding: ReportEmbedding): TopLevelSpec {
  const labels = new Set(embedding.points.map((p) => String(p[2])));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: embedding.title ?? 'Embedding (PCA, 2-D)',
    width: 420,
    height: 420,
    data: { values: embedding.points.map(([x, y, label]) => ({ x, y, label: String(label) })) },
    mark: { type: 'circle', size: 18, opacity: 0.7 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'PC 1', scale: { zero: false } },
      y: { field: 'y', type: 'quantitative', title: 'PC 2', scale: { zero: false } },
      color: { field: 'label', type: 'nominal', title: 'label', scale: { scheme: labels.size > 10 ? 'tableau20' : 'category10' } },
    },
  };
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
h1{font-size:1.4rem}.grid{display:flex;flex-wrap:wrap;gap:1rem}
figure{margin:0;border:1px solid #ddd;padding:.5rem;background:#fff}figcaption{font-size:.8rem;color:#666}
table{border-collapse:collapse;font-size:.85rem}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:right}
pre{background:#f6f6f6;padding:1rem;overflow:auto;font-size:.8rem}`;

/** Builds the self-contained HTML page. */
export async function renderReport(options: ReportOptions): Promise<string> {
  const fn = 'renderReport';
  if (!Array.isArray(options.records)) throw argumentError('INVALID_ARGUMENT', fn, 'records', 'an array of metric records', typeof options.records);
  const max = options.maxPointsPerCurve ?? REPORT_DEFAULTS.maxPointsPerCurve;
  assertInteger(fn, 'maxPointsPerCurve', max, 2);
  const title = options.title ?? REPORT_DEFAULTS.title;
  const figures: string[] = [];
  for (const chart of options.charts ?? REPORT_CHARTS) {
    const values = curveValues(options.records, chart, max);
    const id = `chart-${escapeHtml(chart.id)}`;
    if (values.length === 0) {
      figures.push(`<figure id="${id}" data-points="0"><figcaption>${escapeHtml(chart.title)}: no data (fields ${chart.fields.map(escapeHtml).join(', ')})</figcaption></figure>`);
      continue;
    }
    const references = referenceValues(options.records, chart);
    const svg = await renderVegaLiteSvg(curveSpec(chart, values, references));
    const refText = references.map((r) => `; ${escapeHtml(r.label)} ${Number(r.value.toPrecision(6))} (dashed)`).join('');
    figures.push(
      `<figure id="${id}" data-points="${values.length}" data-references="${references.length}">${svg}<figcaption>${escapeHtml(chart.fields.join(', '))} against ${chart.x}; ${values.length} points${refText}</figcaption></figure>`,
    );
  }
  let scatter = '';
  if (options.embedding !== undefined && options.embedding.points.length > 0) {
    const bad = options.embedding.points.findIndex((p) => !Array.isArray(p) || p.length !== 3 || !Number.isFinite(p[0]) || !Number.isFinite(p[1]));
    if (bad >= 0) throw argumentError('INVALID_ARGUMENT', fn, `embedding.points[${bad}]`, '[x, y, label] with finite x and y', JSON.stringify(options.embedding.points[bad]));
    const svg = await renderVegaLiteSvg(scatterSpec(options.embedding));
    scatter = `<h2>Embedding</h2><figure id="chart-embedding" data-points="${options.embedding.points.length}">${svg}<figcaption>${options.embedding.points.length} points coloured by label</figcaption></figure>`;
  }
  const last: Record<string, number | string | boolean | null> = {};
  for (const r of options.records) Object.assign(last, r);
  const summary = Object.keys(last).length
    ? `<table><tr>${Object.keys(last).map((k) => `<th>${escapeHtml(k)}</th>`).join('')}</tr><tr>${Object.values(last)
        .map((v) => `<td>${escapeHtml(typeof v === 'number' ? Number(v.toPrecision(6)).toString() : String(v))}</td>`)
        .join('')}</tr></table>`
    : '<p>No metrics recorded.</p>';
  const config = options.config === undefined ? '' : `<details><summary>Configuration</summary><pre>${escapeHtml(JSON.stringify(options.config, null, 2))}</pre></details>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1>
<h2>Latest values</h2>${summary}
<h2>Curves</h2><div class="grid">${figures.join('\n')}</div>
${scatter}
${config}
</body></html>
`;
}

/**
 * Reads `<runDir>/metrics.jsonl` (and config.json when present), renders the
 * report and writes `<runDir>/report.html` atomically. Returns its path.
 */
export async function writeReport(runDir: string, options: Omit<ReportOptions, 'records' | 'config'> = {}): Promise<string> {
  const records = readMetricsLog(join(runDir, 'metrics.jsonl')).records;
  let config: unknown;
  try {
    config = JSON.parse(await readFile(join(runDir, 'config.json'), 'utf8')) as unknown;
  } catch {
    config = undefined;
  }
  const info = config as { app?: string; preset?: string } | undefined;
  const title = options.title ?? (info?.app ? `${info.app} · ${info.preset ?? ''}` : REPORT_DEFAULTS.title);
  const html = await renderReport({ ...options, title, records, ...(config === undefined ? {} : { config }) });
  const path = join(runDir, 'report.html');
  await writeFileAtomic(path, html);
  return path;
}
