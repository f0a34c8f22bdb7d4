import * as tf from '@tensorflow/tfjs-core';
import { writeFileSync } from 'node:fs';
import { pca2d, renderReport, type Run } from '@contrastive/train';
import type { EvalSets } from './evaluate';

/**
 * Writes `report.html` of a run: the metric curves of metrics.jsonl and a
 * 2-D PCA scatter of the first `scatterPoints` query features, coloured by
 * class. Returns its path.
 */
export async function writeRunReport(
  run: Run,
  sets: EvalSets,
  options: { title: string; scatterPoints: number; classNames: readonly string[] },
): Promise<string> {
  const n = Math.min(options.scatterPoints, sets.queries.features.shape[0]);
  const d = sets.queries.features.shape[1];
  let embedding;
  if (n >= 2) {
    const slice = tf.slice(sets.queries.features, [0, 0], [n, d]);
    const values = await slice.data();
    slice.dispose();
    const pca = pca2d(values, [n, d]);
    const points = Array.from({ length: n }, (_, i) => {
      const label = sets.queries.labels[i]!;
      return [pca.points[2 * i]!, pca.points[2 * i + 1]!, options.classNames[label] ?? String(label)] as const;
    });
    embedding = { points, title: `Backbone features of ${n} test images (PCA)` };
  }
  const html = await renderReport({
    title: options.title,
    records: run.readMetrics(),
    config: run.info.config,
    ...(embedding === undefined ? {} : { embedding }),
  });
  writeFileSync(run.reportPath, html);
  return run.reportPath;
}
