/**
 * The PCL method computes PCL (spec §2(a)): a warm-up step is MoCo's
 * InfoNCE; the E-step's prototypes and concentrations come from the momentum
 * encoder's features (an online-feature E-step gives another loss); after it
 * the loss and gradients equal ProtoNCE on explicitly built inputs (online
 * queries, keys of an independent shuffled key copy, the queue, the batch's
 * clusters, r capped per batch, negative prototypes drawn from the method's
 * generator, the preset's tau and dedupe choice); the key encoder and queue
 * follow the EMA and enqueue exactly; no gradient reaches anything else.
 */
import { beforeAll, describe, it } from 'vitest';
import { protoNceLoss } from '@contrastive/loss-protonce';
import { useBackend } from '@contrastive/test-utils';
import { resolveConfig } from '@contrastive/train';
import { createPclMethod } from './method';
import { pclSchema, PCL_PRESETS, type PclConfig } from './index';
import { checkPrototypeMethod, onHarnessData } from './testing/prototype-method-check';

function configWith(method: Record<string, unknown>): PclConfig {
  return resolveConfig(pclSchema, { ...PCL_PRESETS.smoke, method }) as PclConfig;
}

const cases: [string, PclConfig][] = [
  ...Object.entries(PCL_PRESETS).map(([name, preset]) => [`preset ${name}`, configWith(onHarnessData({ ...preset.method }))] as [string, PclConfig]),
  // Values no preset and no default has; r below k - distinct positives so prototypes are sampled.
  [
    'unusual values',
    configWith({
      temperature: 0.31,
      queueSize: 12,
      momentum: 0.67,
      shuffleKeys: true,
      numClusters: [5, 7],
      warmupEpochs: 2,
      negativePrototypes: 1,
      dedupePrototypes: false,
      kMeansIterations: 3,
      kMeansRestarts: 2,
      kMeansInit: 'kmeans++',
      concentrationAlpha: 3.5,
      eStepBatchSize: 10,
    }),
  ],
];

describe('pcl method = InfoNCE in warm-up, then ProtoNCE on momentum-feature prototypes', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it.each(cases)('%s', async (_, config) => {
    const m = config.method;
    await checkPrototypeMethod(config, createPclMethod, (x) =>
      protoNceLoss(
        { query: x.query(), key: x.key, negatives: x.negatives, clusterings: x.clusterings },
        { temperature: m.temperature, negativePrototypes: x.negativePrototypes, dedupePrototypes: m.dedupePrototypes, rng: x.rng },
      ),
    );
  });
});
