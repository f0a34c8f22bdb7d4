/**
 * The CLI's kNN protocol (apps/kit/src/evaluate.ts, spec §7.2): weighted kNN
 * with cosine similarity, k = 200, t = 0.1, of the test images against a bank
 * of training images, on backbone features h (BatchNorm in inference mode)
 * after the preset's deterministic eval transform; raw pixels are the same
 * transformed images flattened.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ComposedEncoder } from '@contrastive/encoders';
import { knnClassify } from '@contrastive/eval';
import { jobAugment } from './augment';
import { imageBatch, range, type ImageSplit } from './images';
import type { WebJob } from './job';

/** Maps eval-transformed images `[n, 28, 28, 1]` to features `[n, d]`. */
export type Embed = (images: tf.Tensor4D) => tf.Tensor2D;

const EMBED_BATCH = 250;

export function backboneEmbed(encoder: ComposedEncoder): Embed {
  return (images) => {
    const out = encoder.forward(images, { training: false });
    out.projections.dispose();
    return out.features;
  };
}

export const rawPixels: Embed = (images) => tf.reshape(images, [images.shape[0], -1]);

/** Features `[count, d]` of a split's first `count` images, after the eval transform. */
export function embedSplit(embed: Embed, split: ImageSplit, count: number, job: WebJob): tf.Tensor2D {
  const transform = jobAugment(job).eval;
  const parts: tf.Tensor2D[] = [];
  for (let start = 0; start < count; start += EMBED_BATCH) {
    parts.push(
      tf.tidy(() => {
        const x = imageBatch(split, range(start, Math.min(start + EMBED_BATCH, count)));
        return embed(transform(x, { seed: 0 }));
      }),
    );
  }
  const all = tf.concat(parts, 0);
  tf.dispose(parts);
  return all;
}

/** kNN top-1 accuracy (percent) of `embed` on the job's bank (train) and queries (test). */
export async function knnTop1(embed: Embed, train: ImageSplit, test: ImageSplit, job: WebJob): Promise<number> {
  const bank = embedSplit(embed, train, job.data.evalTrainLimit, job);
  const queries = embedSplit(embed, test, job.data.evalTestLimit, job);
  try {
    const result = await knnClassify(bank, train.labels.subarray(0, job.data.evalTrainLimit), queries, {
      k: job.eval.knnK,
      temperature: job.eval.knnT,
      numClasses: 10,
      testLabels: test.labels.subarray(0, job.data.evalTestLimit),
    });
    return 100 * result.top1Accuracy!;
  } finally {
    tf.dispose([bank, queries]);
  }
}
