/**
 * SimCLR training in the page: per step two augmented views of a batch
 * (augment's `fashion-mnist-cpu` preset with the job's crop area range),
 * one encoder pass over both (SimCLR's global BatchNorm), NT-Xent, an SGD
 * step at the cosine schedule's learning rate: the loop of apps/kit and
 * apps/simclr on the Node-free `@contrastive/train/optim` entry. Step losses
 * stay on the device in a loss window read once per logged step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@contrastive/core';
import { multiView } from '@contrastive/augment';
import type { ComposedEncoder } from '@contrastive/encoders';
import { ntXentLoss } from '@contrastive/loss-infonce';
import { createLossWindow, createLrSchedule, createSgd } from '@contrastive/train/optim';
import { jobAugment } from './augment';
import { imageBatch, type ImageSplit } from './images';
import type { JobOverrides, WebJob } from './job';

/** A logged step. */
export interface LoggedLoss {
  readonly step: number;
  readonly epoch: number;
  readonly loss: number;
  readonly lr: number;
}

/** The run's length: steps per epoch (whole batches) and the steps it takes. */
export function trainingPlan(job: WebJob, images: number, overrides: JobOverrides = {}) {
  const batchSize = overrides.batchSize ?? job.train.batchSize;
  const stepsPerEpoch = Math.floor(Math.min(images, job.data.trainLimit) / batchSize);
  const totalSteps = Math.min(stepsPerEpoch * job.train.epochs, overrides.maxSteps ?? Infinity);
  // Linear scaling, as the job's optimizer config says: lr x B / 256.
  const learningRate = (job.optimizer.lr * batchSize) / 256;
  return { batchSize, stepsPerEpoch, totalSteps, learningRate };
}

/** Trains `encoder` in place; `onLoss` sees each logged step. Returns every logged loss. */
export async function trainSimclr(
  encoder: ComposedEncoder,
  train: ImageSplit,
  job: WebJob,
  overrides: JobOverrides,
  onLoss: (logged: LoggedLoss) => void,
): Promise<LoggedLoss[]> {
  const plan = trainingPlan(job, train.count, overrides);
  const optimizer = createSgd(encoder.model.trainableWeights, {
    learningRate: plan.learningRate,
    momentum: job.optimizer.momentum,
    weightDecay: job.optimizer.weightDecay,
  });
  const schedule = createLrSchedule(
    { base: plan.learningRate, decay: job.schedule.decay, epochs: job.train.epochs, per: job.schedule.per, warmupEpochs: job.schedule.warmupEpochs },
    plan.stepsPerEpoch,
  );
  const views = multiView(jobAugment(job).train, job.augment.views);
  // The seeds the apps derive from the job seed (apps/kit/src/train-app.ts).
  const augmentRng = createRng(job.seed * 7919 + 1);
  const orderRng = createRng(job.seed);
  const { temperature, reduction } = job.method;
  const window = createLossWindow();
  const logged: LoggedLoss[] = [];
  let order: number[] = [];
  try {
    for (let step = 0; step < plan.totalSteps; step++) {
      const epoch = Math.floor(step / plan.stepsPerEpoch);
      const inEpoch = step % plan.stepsPerEpoch;
      // A new shuffle of the training images each epoch (whole batches only, as the loader's dropLast).
      if (inEpoch === 0) order = orderRng.shuffle(Array.from({ length: Math.min(train.count, job.data.trainLimit) }, (_, i) => i));
      const lr = schedule(step);
      optimizer.setLearningRate(lr);
      const batch = imageBatch(train, order.slice(inEpoch * plan.batchSize, (inEpoch + 1) * plan.batchSize));
      const [v1, v2] = tf.tidy(() => views(batch, augmentRng)) as [tf.Tensor4D, tf.Tensor4D];
      batch.dispose();
      try {
        const loss = optimizer.minimize(() => {
          const { projections } = encoder.forward(tf.concat([v1, v2], 0));
          const z1 = tf.slice(projections, [0, 0], [plan.batchSize, -1]) as tf.Tensor2D;
          const z2 = tf.slice(projections, [plan.batchSize, 0], [plan.batchSize, -1]) as tf.Tensor2D;
          return ntXentLoss(z1, z2, { temperature, reduction });
        });
        window.push(loss, { epoch, step });
      } finally {
        tf.dispose([v1, v2]);
      }
      if ((step + 1) % job.train.logEvery === 0 || step === plan.totalSteps - 1) {
        const held = await window.flush();
        const last = held[held.length - 1]!;
        const entry = { step, epoch, loss: last.value, lr };
        logged.push(entry);
        onLoss(entry);
      }
    }
  } finally {
    window.dispose();
    optimizer.dispose();
  }
  return logged;
}
