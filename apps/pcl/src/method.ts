import type { Method, MethodContext } from '@contrastive/app-kit';
import { createMomentumBranch } from '@contrastive/app-kit';
import { protoNceLoss } from '@contrastive/loss-protonce';
import type { PclConfig } from './config';
import { cappedNegatives, createPclEStep } from './e-step';

/**
 * PCL v1/v2 (spec §2(a)): MoCo's query/key/queue (InfoNCE, tau) plus, after
 * warm-up, the mean over clusterings of the prototype term with per-column
 * concentrations, shared negative prototypes drawn from the method's
 * generator, and (by default) one column per distinct positive prototype.
 * The E-step runs before every epoch >= warm-up.
 */
export function createPclMethod(context: MethodContext<PclConfig>): Method {
  const m = context.config.method;
  const branch = createMomentumBranch(context, m);
  const eStep = createPclEStep(context, branch.key, m);
  return {
    beforeEpoch: (epoch) => eStep.run(epoch),
    prepare(views) {
      branch.prepare([views[1]!]);
    },
    loss(views, batch) {
      const query = context.encoder.forward(views[0]!).projections;
      const key = branch.keys();
      const clusterings = eStep.batchClusterings(batch.indices);
      return protoNceLoss(
        { query, key, negatives: branch.negatives(), clusterings },
        {
          temperature: m.temperature,
          negativePrototypes: cappedNegatives(m.negativePrototypes, clusterings),
          dedupePrototypes: m.dedupePrototypes,
          rng: context.rng,
        },
      );
    },
    afterStep() {
      branch.afterStep();
    },
    getState(position) {
      const state = branch.getState();
      // Inside an epoch the epoch's clusterings come along (a resume does not rerun the E-step).
      return position.inEpoch ? { ...state, tensors: { ...state.tensors, ...eStep.getState() } } : state;
    },
    async setState(checkpoint) {
      branch.setState(checkpoint);
      if (checkpoint.inEpoch !== undefined) await eStep.setState(checkpoint);
    },
    dispose() {
      eStep.dispose();
      branch.dispose();
    },
  };
}
