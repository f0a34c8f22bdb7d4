/**
 * The 2-D embedding scatter's points: backbone features of the first test
 * images, projected on their top two principal directions (`pca2d` of
 * `@contrastive/train/optim`, float64).
 */
import { pca2d } from '@contrastive/train/optim';
import type { ComposedEncoder } from '@contrastive/encoders';
import { backboneEmbed, embedSplit } from './evaluate';
import type { ImageSplit } from './images';
import type { WebJob } from './job';

export interface ScatterPoint {
  readonly x: number;
  readonly y: number;
  readonly label: string;
}

export async function embeddingScatter(
  encoder: ComposedEncoder,
  test: ImageSplit,
  job: WebJob,
  classNames: readonly string[],
): Promise<ScatterPoint[]> {
  const count = Math.min(job.eval.scatterPoints, test.count);
  const features = embedSplit(backboneEmbed(encoder), test, count, job);
  const values = await features.data();
  const shape = features.shape;
  features.dispose();
  const { points } = pca2d(values, shape);
  return Array.from({ length: count }, (_, i) => ({ x: points[2 * i]!, y: points[2 * i + 1]!, label: classNames[test.labels[i]!]! }));
}
