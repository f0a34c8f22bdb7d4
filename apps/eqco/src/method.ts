import { createMomentumBranch, type Method, type MethodContext } from '@contrastive/app-kit';
import { eqcoLoss, simoLoss } from '@contrastive/loss-eqco';
import { DEFAULT_NUM_NEGATIVES, DEFAULT_QUEUE_SIZE, type EqcoConfig } from './config';

/**
 * SiMo and MoCo v2 + EqCo (spec §5(a), §1(c), §0.4). Queries: online
 * encoder on view 1; keys: momentum encoder on view 2 (train-mode BN, with
 * shuffle-BN emulated). SiMo contrasts each query with the batch's other
 * keys (simoLoss, one direction); MoCo-EqCo with a queue of K earlier keys
 * (eqcoLoss). Both rescale the negatives by alpha/K. After the optimiser
 * step: EMA update of the key encoder, then (MoCo-EqCo) enqueue the keys.
 */
export function createEqcoMethod(context: MethodContext<EqcoConfig>): Method {
  const m = context.config.method;
  const branch = createMomentumBranch(context, {
    momentum: m.momentum,
    shuffleKeys: m.shuffleBn,
    queueSize: m.variant === 'moco-eqco' ? (m.queueSize ?? DEFAULT_QUEUE_SIZE) : 0,
  });
  return {
    prepare(views) {
      branch.prepare([views[1]!]);
    },
    loss(views, batch) {
      const query = context.encoder.forward(views[0]!).projections;
      const keys = branch.keys();
      if (branch.queue === undefined) {
        // A fresh shared subsampling of the negatives each step (used only when K < B - 1).
        return simoLoss(query, keys, { temperature: m.temperature, alpha: m.alpha, numNegatives: m.numNegatives ?? DEFAULT_NUM_NEGATIVES, seed: batch.step });
      }
      return eqcoLoss(query, keys, branch.negatives(), { temperature: m.temperature, alpha: m.alpha });
    },
    afterStep: () => branch.afterStep(),
    getState: () => branch.getState(),
    setState: (checkpoint) => branch.setState(checkpoint),
    dispose: () => branch.dispose(),
  };
}
