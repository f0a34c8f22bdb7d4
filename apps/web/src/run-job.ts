/**
 * The page's whole job, in the order the CLI runs it: the encoder at random
 * init and raw pixels are measured first, then the encoder trains, then it
 * is measured again and its test embeddings are projected for the scatter.
 */
import { buildEncoder } from './encoder';
import { embeddingScatter, type ScatterPoint } from './embedding';
import { backboneEmbed, knnTop1, rawPixels } from './evaluate';
import { fetchClassNames, fetchSplit } from './images';
import { imagesNeeded, withEvalSizes, type JobOverrides, type WebJob } from './job';
import type { KnnScores } from './knn-table';
import { trainSimclr, trainingPlan, type LoggedLoss } from './train';

export interface JobEvents {
  status(text: string): void;
  loss(logged: LoggedLoss): void | Promise<void>;
  knn(scores: KnnScores): void;
  scatter(points: readonly ScatterPoint[]): void | Promise<void>;
}

export interface JobResult {
  readonly losses: LoggedLoss[];
  readonly knn: Required<KnnScores>;
  readonly seconds: { readonly train: number; readonly total: number };
}

export async function runJob(fullJob: WebJob, overrides: JobOverrides, events: JobEvents): Promise<JobResult> {
  const started = performance.now();
  events.status('Fetching Fashion-MNIST…');
  // The files hold the full job's images; a shorter evaluation uses their first ones.
  const counts = imagesNeeded(fullJob);
  const job = withEvalSizes(fullJob, overrides);
  const [train, test, classNames] = await Promise.all([fetchSplit('train', counts.train), fetchSplit('test', counts.test), fetchClassNames()]);
  const encoder = buildEncoder(job);
  try {
    const knn: KnnScores = {};
    events.status('kNN of raw pixels and of the encoder at random init…');
    knn.rawPixels = await knnTop1(rawPixels, train, test, job);
    knn.randomInit = await knnTop1(backboneEmbed(encoder), train, test, job);
    events.knn({ ...knn });
    const plan = trainingPlan(job, train.count, overrides);
    events.status(`Training: ${plan.totalSteps} steps of ${plan.batchSize} images…`);
    const trainStart = performance.now();
    const losses = await trainSimclr(encoder, train, job, overrides, (logged) => {
      events.status(`Training: step ${logged.step + 1} of ${plan.totalSteps}, loss ${logged.loss.toFixed(4)}`);
      void events.loss(logged);
    });
    const trainSeconds = (performance.now() - trainStart) / 1000;
    events.status('kNN of the trained encoder…');
    knn.trained = await knnTop1(backboneEmbed(encoder), train, test, job);
    events.knn({ ...knn });
    events.status('Projecting the test embeddings…');
    await events.scatter(await embeddingScatter(encoder, test, job, classNames));
    const total = (performance.now() - started) / 1000;
    events.status(`Done: ${plan.totalSteps} steps in ${trainSeconds.toFixed(1)} s (${total.toFixed(1)} s in all).`);
    return { losses, knn: knn as Required<KnnScores>, seconds: { train: trainSeconds, total } };
  } finally {
    encoder.model.dispose();
  }
}
