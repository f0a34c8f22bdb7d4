import type { Method, MethodContext } from '@contrastive/app-kit';
import { infoNceLoss } from '@contrastive/loss-infonce';
import type { MocoConfig } from './config';
import { createMomentumBranch } from '@contrastive/app-kit';

/**
 * MoCo v1/v2 (spec §1(a), §0.4): queries from the online encoder on view 1,
 * keys from the momentum encoder on view 2 (train-mode BN, shuffle-BN
 * emulated with split BN plus a key-batch shuffle), logits
 * [q.k | q.Q^T] / tau with the positive in column 0 (spec §1(e)), keys and
 * queue under stop-gradient. After the optimiser step the key encoder takes
 * its EMA step and the keys are enqueued.
 */
export function createMocoMethod(context: MethodContext<MocoConfig>): Method {
  const m = context.config.method;
  const branch = createMomentumBranch(context, m);
  return {
    prepare(views) {
      branch.prepare([views[1]!]);
    },
    loss(views) {
      const query = context.encoder.forward(views[0]!).projections;
      const negatives = branch.negatives();
      return infoNceLoss(query, branch.keys(), negatives, { temperature: m.temperature });
    },
    afterStep() {
      branch.afterStep();
    },
    getState: () => branch.getState(),
    setState: (checkpoint) => branch.setState(checkpoint),
    dispose() {
      branch.dispose();
    },
  };
}
