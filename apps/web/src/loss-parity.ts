/**
 * Every loss family of the project on the active backend: the value and the
 * gradients with respect to its embedding inputs, for fixed random inputs.
 * The browser test runs it on webgl and on cpu in the same page and compares.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng, l2Normalize } from '@contrastive/core';
import { alignUniformLoss } from '@contrastive/loss-align-uniform';
import { cctLoss, cctQueueLoss } from '@contrastive/loss-cct';
import { dystressDclLoss, dystressLoss } from '@contrastive/loss-dystress';
import { eqcoLoss, simoLoss } from '@contrastive/loss-eqco';
import { dclLoss, infoNceLoss, ntXentLoss } from '@contrastive/loss-infonce';
import { paucLoss } from '@contrastive/loss-pauc';
import { protoNceLoss } from '@contrastive/loss-protonce';

const BATCH = 8;
const DIM = 16;
const QUEUE = 32;
/** Prototypes; the batch is assigned to the first half, so the other half can be sampled as negatives. */
const PROTOTYPES = 8;

/** The inputs, as host arrays (so each backend builds its own tensors). */
interface Inputs {
  readonly views: Float32Array[];
  readonly queue: Float32Array;
  readonly prototypes: Float32Array;
  readonly concentration: Float32Array;
  readonly assignment: Int32Array;
}

function inputs(seed: number): Inputs {
  const rng = createRng(seed);
  const normal = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  return {
    views: [0, 1, 2].map(() => normal(BATCH * DIM)),
    queue: normal(QUEUE * DIM),
    prototypes: normal(PROTOTYPES * DIM),
    concentration: Float32Array.from({ length: PROTOTYPES }, () => rng.uniform(0.1, 0.5)),
    assignment: Int32Array.from({ length: BATCH }, (_, i) => i % (PROTOTYPES / 2)),
  };
}

type Views = tf.Tensor2D[];
type Constants = { queue: tf.Tensor2D; clusterings: { prototypes: tf.Tensor2D; concentration: tf.Tensor1D; assignment: Int32Array }[] };

/** A loss over `views` differentiated inputs `[B, d]` and constants (queue, prototypes). */
interface Family {
  readonly views: 2 | 3;
  readonly loss: (v: Views, c: Constants) => tf.Scalar;
}

/** One or more losses of each loss package (`family/loss`), with the options their READMEs show. */
export const LOSS_FAMILIES: Readonly<Record<string, Family>> = {
  'infonce/nt-xent': { views: 2, loss: ([a, b]) => ntXentLoss(a!, b!, { temperature: 0.2 }) },
  'infonce/info-nce': { views: 2, loss: ([a, b], c) => infoNceLoss(a!, b!, c.queue, { temperature: 0.2 }) },
  'infonce/dcl': { views: 2, loss: ([a, b]) => dclLoss(a!, b!, { temperature: 0.2 }) },
  'align-uniform': { views: 2, loss: ([a, b]) => alignUniformLoss(a!, b!) },
  'cct/views': { views: 3, loss: (v) => cctLoss(v, { tPos: 1, tNeg: 0.9 }) },
  'cct/queue': { views: 3, loss: ([a, b, k], c) => cctQueueLoss([a!, b!], [k!, k!], c.queue, { tNeg: 2 }) },
  'dystress/dystress': { views: 2, loss: ([a, b]) => dystressLoss(a!, b!) },
  'dystress/dcl': { views: 2, loss: ([a, b]) => dystressDclLoss(a!, b!) },
  'eqco/eqco': { views: 2, loss: ([a, b], c) => eqcoLoss(a!, b!, c.queue, { temperature: 0.2, alpha: 65536 }) },
  'eqco/simo': { views: 2, loss: ([a, b]) => simoLoss(a!, b!, { alpha: 256, numNegatives: 4, seed: 1 }) },
  protonce: {
    views: 2,
    loss: ([a, b], c) => protoNceLoss({ query: a!, key: b!, negatives: c.queue, clusterings: c.clusterings }, { negativePrototypes: 2, seed: 1 }),
  },
  pauc: {
    views: 3,
    loss: ([a, b, k], c) =>
      paucLoss({ query: a!, query2: b!, key: k!, negatives: c.queue, clusterings: c.clusterings }, { negativePrototypes: 2, seed: 1 }),
  },
};

export interface LossOutcome {
  readonly value: number;
  /** Gradient of each view, flattened. */
  readonly gradients: number[][];
}

/** Value and view gradients of every family on the active backend; no tensor outlives the call. */
export async function lossesOnActiveBackend(seed = 7): Promise<Record<string, LossOutcome>> {
  const host = inputs(seed);
  const out: Record<string, LossOutcome> = {};
  for (const [name, family] of Object.entries(LOSS_FAMILIES)) {
    const before = tf.memory().numTensors;
    const views = host.views.slice(0, family.views).map((v) => tf.tensor2d(v, [BATCH, DIM]));
    const constants: Constants = {
      queue: tf.tensor2d(host.queue, [QUEUE, DIM]),
      clusterings: [
        {
          prototypes: tf.tidy(() => l2Normalize(tf.tensor2d(host.prototypes, [PROTOTYPES, DIM]))) as tf.Tensor2D,
          concentration: tf.tensor1d(host.concentration),
          assignment: host.assignment,
        },
      ],
    };
    const { value, grads } = tf.valueAndGrads((...v: tf.Tensor[]) => family.loss(v as Views, constants))(views);
    out[name] = { value: (await value.data())[0]!, gradients: await Promise.all(grads.map(async (g) => Array.from(await g.data()))) };
    tf.dispose([value, ...grads, ...views, constants.queue, constants.clusterings[0]!.prototypes, constants.clusterings[0]!.concentration]);
    if (tf.memory().numTensors !== before) throw new Error(`${name} leaked ${tf.memory().numTensors - before} tensors`);
  }
  return out;
}
