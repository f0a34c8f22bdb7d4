import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResult } from './types';

function ms(seconds: number | undefined): string {
  return seconds === undefined ? '–' : (seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1);
}

/** Markdown table of results. */
export function toMarkdown(results: readonly BenchResult[], header: string): string {
  const lines = [
    header,
    '',
    '| case | backend | ours (ms) | PyTorch (ms; 1 thread unless noted) | ours / PyTorch | throughput |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    const ratio = r.ratio === undefined ? '–' : `${r.ratio.toFixed(2)}x`;
    const rate =
      r.itemsPerSecond === undefined
        ? ''
        : `${r.itemsPerSecond.toFixed(0)} ${r.unit}/s` +
          (r.torchItemsPerSecond === undefined ? '' : ` (torch ${r.torchItemsPerSecond.toFixed(0)})`);
    const ours = r.error === undefined ? ms(r.seconds) : `error: ${r.error}`;
    const backend = r.threads === undefined || r.threads === 1 ? r.backend : `${r.backend}, ${r.threads} threads`;
    const torch = r.torchSeconds === undefined || (r.torchThreads ?? 1) === 1 ? ms(r.torchSeconds) : `${ms(r.torchSeconds)} (${r.torchThreads} threads)`;
    lines.push(`| ${r.name} | ${backend} | ${ours} | ${torch} | ${ratio} | ${rate} |`);
  }
  const counted = results.filter((r) => r.counters !== undefined);
  if (counted.length > 0) {
    const keys = [...new Set(counted.flatMap((r) => Object.keys(r.counters!)))];
    lines.push('', `| case | backend | ${keys.join(' | ')} |`, `| --- | --- | ${keys.map(() => '---:').join(' | ')} |`);
    for (const r of counted) lines.push(`| ${r.name} | ${r.backend} | ${keys.map((k) => r.counters![k] ?? '–').join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}

/** Writes `bench-results/<stamp>.json` and `.md`; returns their paths. */
export function writeResults(results: readonly BenchResult[], meta: Record<string, unknown>, dir: string) {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const json = join(dir, `bench-${stamp}.json`);
  const md = join(dir, `bench-${stamp}.md`);
  writeFileSync(json, JSON.stringify({ meta, results }, null, 2));
  writeFileSync(md, toMarkdown(results, `# Benchmarks (${String(meta['date'])})`));
  return { json, md };
}
