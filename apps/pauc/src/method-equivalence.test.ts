/**
 * The PAUC method computes the reconstructed PAUC (spec §3(c)): PCL's
 * warm-up InfoNCE, E-step prototypes from the momentum features, then the
 * loss and gradients of paucLoss on explicitly built inputs (online queries
 * of view 1 and, for the correlation term, of view 2 in its own forward;
 * keys of an independent shuffled key copy; the queue; the batch's clusters;
 * the method's generator; the preset's tau, r, dedupe choice and the term
 * weights and t); the key encoder and queue follow the EMA and enqueue
 * exactly; no gradient reaches anything else.
 */
import { beforeAll, describe, it } from 'vitest';
import { paucLoss } from '@contrastive/loss-pauc';
import { useBackend } from '@contrastive/test-utils';
import { resolveConfig } from '@contrastive/train';
import { checkPrototypeMethod, onHarnessData } from '../../pcl/src/testing/prototype-method-check';
import { createPaucMethod } from './method';
import { paucSchema, PAUC_PRESETS, type PaucConfig } from './index';

function configWith(method: Record<string, unknown>): PaucConfig {
  return resolveConfig(paucSchema, { ...PAUC_PRESETS.smoke, method }) as PaucConfig;
}

const cases: [string, PaucConfig][] = [
  ...Object.entries(PAUC_PRESETS).map(([name, preset]) => [`preset ${name}`, configWith(onHarnessData({ ...preset.method }))] as [string, PaucConfig]),
  // Values no preset and no default has.
  [
    'unusual values',
    configWith({
      ...onHarnessData({ ...PAUC_PRESETS.smoke.method }),
      temperature: 0.27,
      momentum: 0.71,
      negativePrototypes: 1,
      dedupePrototypes: false,
      alignmentWeight: 0.6,
      uniformityWeight: 1.7,
      correlationWeight: 0.35,
      uniformityT: 3.1,
    }),
  ],
  ['unusual values, no correlation term', configWith({ ...onHarnessData({ ...PAUC_PRESETS.smoke.method }), correlationWeight: 0, alignmentWeight: 2.5 })],
];

describe('pauc method = InfoNCE in warm-up, then paucLoss on momentum-feature prototypes', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it.each(cases)('%s', async (_, config) => {
    const m = config.method;
    await checkPrototypeMethod(config, createPaucMethod, (x) =>
      paucLoss(
        {
          query: x.query(),
          ...(m.correlationWeight > 0 ? { query2: x.query2() } : {}),
          key: x.key,
          negatives: x.negatives,
          clusterings: x.clusterings,
        },
        {
          temperature: m.temperature,
          negativePrototypes: x.negativePrototypes,
          dedupePrototypes: m.dedupePrototypes,
          rng: x.rng,
          alignmentWeight: m.alignmentWeight,
          uniformityWeight: m.uniformityWeight,
          correlationWeight: m.correlationWeight,
          uniformityT: m.uniformityT,
        },
      ),
    );
  });
});
