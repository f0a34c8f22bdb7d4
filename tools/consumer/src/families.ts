/**
 * A program written twice (ES module and CommonJS) that, for every loss
 * family, takes the loss and its gradient with respect to the query/first view on the
 * cpu backend, with tfjs-core and @tensorflow/tfjs-backend-cpu only (what the
 * loss READMEs show), and checks the gradient against a central difference
 * along a random direction.
 */

export interface LossFamily {
  /** Short label for test names. */
  label: string;
  /** The package under test. */
  pkg: string;
  /** Statements run before the loss (plain JavaScript; `tf`, `lib` and `r(shape, seed)` exist). */
  setup: string;
  /** An expression of `q` ([8, 16]) that returns the scalar loss. */
  loss: string;
  /** Set when the gradient is not the loss's full derivative by design (why). */
  notFullDerivative?: string;
}

const CLUSTERINGS = `const clusterings = [{
  prototypes: r([6, 16], 5),
  concentration: tf.tensor1d([0.2, 0.3, 0.25, 0.4, 0.35, 0.3]),
  assignment: Int32Array.from([0, 1, 2, 3, 0, 1, 2, 3]),
}];`;

export const LOSS_FAMILIES: readonly LossFamily[] = [
  { label: 'NT-Xent', pkg: '@contrastive/loss-infonce', setup: 'const z2 = r([8, 16], 2);', loss: 'lib.ntXentLoss(q, z2, { temperature: 0.5 })' },
  {
    label: 'InfoNCE',
    pkg: '@contrastive/loss-infonce',
    setup: 'const k = r([8, 16], 2); const queue = r([32, 16], 3);',
    loss: 'lib.infoNceLoss(q, k, queue, { temperature: 0.2 })',
  },
  { label: 'DCL', pkg: '@contrastive/loss-infonce', setup: 'const z2 = r([8, 16], 2);', loss: 'lib.dclLoss(q, z2)' },
  {
    label: 'align-uniform',
    pkg: '@contrastive/loss-align-uniform',
    setup: 'const z2 = r([8, 16], 2);',
    loss: 'lib.alignUniformLoss(q, z2, { alignWeight: 1, uniformWeight: 1, t: 2 })',
  },
  {
    label: 'CCT',
    pkg: '@contrastive/loss-cct',
    setup: 'const v2 = r([8, 16], 2); const v3 = r([8, 16], 3);',
    loss: 'lib.cctLoss([q, v2, v3], { tPos: 1, tNeg: 0.9 })',
    notFullDerivative: 'the transport plans are detached by default (detachWeights, as the CACR code)',
  },
  {
    label: 'CCT queue',
    pkg: '@contrastive/loss-cct',
    setup: 'const v2 = r([8, 16], 2); const k1 = r([8, 16], 3); const k2 = r([8, 16], 4); const queue = r([32, 16], 5);',
    loss: 'lib.cctQueueLoss([q, v2], [k1, k2], queue, { tNeg: 2 })',
    notFullDerivative: 'the transport plans are detached by default (detachWeights, as the CACR code)',
  },
  {
    label: 'DySTreSS',
    pkg: '@contrastive/loss-dystress',
    setup: 'const z2 = r([8, 16], 2);',
    loss: 'lib.dystressLoss(q, z2, { tauMin: 0.07, tauMax: 0.2 })',
    notFullDerivative: 'the temperature is a function of the detached similarities (spec: DySTreSS)',
  },
  {
    label: 'EqCo',
    pkg: '@contrastive/loss-eqco',
    setup: 'const k = r([8, 16], 2); const queue = r([32, 16], 3);',
    loss: 'lib.eqcoLoss(q, k, queue, { temperature: 0.2, alpha: 65536 })',
  },
  {
    label: 'SiMo',
    pkg: '@contrastive/loss-eqco',
    setup: 'const k = r([8, 16], 2);',
    loss: 'lib.simoLoss(q, k, { alpha: 256, numNegatives: 4, seed: 0 })',
  },
  {
    label: 'ProtoNCE',
    pkg: '@contrastive/loss-protonce',
    setup: `const k = r([8, 16], 2); const negatives = r([32, 16], 3);\n${CLUSTERINGS}`,
    loss: 'lib.protoNceLoss({ query: q, key: k, negatives, clusterings }, { temperature: 0.2, negativePrototypes: 2, seed: 0 })',
  },
  {
    label: 'PAUC',
    pkg: '@contrastive/loss-pauc',
    setup: `const q2 = r([8, 16], 2); const k = r([8, 16], 3); const negatives = r([32, 16], 4);\n${CLUSTERINGS}`,
    loss: 'lib.paucLoss({ query: q, query2: q2, key: k, negatives, clusterings }, { negativePrototypes: 2, seed: 0, correlationWeight: 0.01 })',
  },
];

/** What each program prints (one JSON line). */
export interface FamilyResult {
  value: number;
  shape: number[];
  grad: number[];
  /** <grad, d> and (f(q + h d) - f(q - h d)) / 2h for a random direction d. */
  directional: number;
  centralDifference: number;
}

/** Step of the central difference (float32 losses of order 1: truncation ~h², rounding ~1e-7/h). */
export const DIFFERENCE_STEP = 1e-2;

/** The statements that run one family and store its result (or its error) under its label. */
function block(family: LossFamily, index: number): string {
  return `try {
  const lib = lib${index};
  const q0 = r([8, 16], 1);
  ${family.setup.replace(/\n/g, '\n  ')}
  const f = (q) => ${family.loss};
  const { value, grad } = tf.valueAndGrad(f)(q0);
  const d = r([8, 16], 99);
  const up = f(tf.add(q0, tf.mul(d, h)));
  const down = f(tf.sub(q0, tf.mul(d, h)));
  results[${JSON.stringify(family.label)}] = {
    value: (await value.data())[0],
    shape: grad.shape,
    grad: Array.from(await grad.data()),
    directional: (await tf.sum(tf.mul(grad, d)).data())[0],
    centralDifference: ((await up.data())[0] - (await down.data())[0]) / (2 * h),
  };
} catch (error) {
  results[${JSON.stringify(family.label)}] = { error: String(error && error.stack || error) };
}`;
}

function body(families: readonly LossFamily[]): string {
  return `await tf.setBackend('cpu');
const r = (shape, seed) => tf.randomNormal(shape, 0, 1, 'float32', seed);
const h = ${DIFFERENCE_STEP};
const results = {};
${families.map(block).join('\n')}
process.stdout.write(JSON.stringify(results));`;
}

/** Distinct packages of `families`, in order. */
function packagesOf(families: readonly LossFamily[]): string[] {
  return families.map((f) => f.pkg);
}

/** One ES module program (`.mjs`) that runs every family; prints `{ [label]: FamilyResult | { error } }`. */
export function esmProgram(families: readonly LossFamily[]): string {
  return `import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
${packagesOf(families).map((p, i) => `import * as lib${i} from '${p}';`).join('\n')}
${body(families)}
`;
}

/** The same as a CommonJS program (`.cjs`). */
export function commonJsProgram(families: readonly LossFamily[]): string {
  return `const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
${packagesOf(families).map((p, i) => `const lib${i} = require('${p}');`).join('\n')}
(async () => {
${body(families)}
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;
}
