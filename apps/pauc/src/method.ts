import * as tf from '@tensorflow/tfjs-core';
import type { Method, MethodContext } from '@contrastive/app-kit';
import { createMomentumBranch } from '@contrastive/app-kit';
import { cappedNegatives, createPclEStep } from '@contrastive/app-pcl';
import { paucLoss } from '@contrastive/loss-pauc';
import type { PaucConfig } from './config';

/**
 * PAUC as reconstructed from the abstract (spec §3(c)): the PCL v2 method
 * (MoCo branch, E-step every epoch after warm-up, ProtoNCE) plus prototype
 * alignment, prototype-level uniformity and the two views' prototype-level
 * correlation. The correlation term needs the second view's online
 * embedding, so view 2 also goes through the online encoder when
 * `correlationWeight` > 0 (its own forward, BN over that view alone).
 */
export function createPaucMethod(context: MethodContext<PaucConfig>): Method {
  const m = context.config.method;
  const branch = createMomentumBranch(context, m);
  const eStep = createPclEStep(context, branch.key, m);
  return {
    beforeEpoch: (epoch) => eStep.run(epoch),
    prepare(views) {
      branch.prepare([views[1]!]);
    },
    loss(views, batch) {
      const [v1, v2] = views as [tf.Tensor4D, tf.Tensor4D];
      const query = context.encoder.forward(v1).projections;
      const key = branch.keys();
      const clusterings = eStep.batchClusterings(batch.indices);
      // During warm-up paucLoss is ProtoNCE without prototypes (InfoNCE): no second online forward.
      const correlationWeight = clusterings.length > 0 ? m.correlationWeight : 0;
      const query2 = correlationWeight > 0 ? context.encoder.forward(v2).projections : undefined;
      return paucLoss(
        { query, query2, key, negatives: branch.negatives(), clusterings },
        {
          temperature: m.temperature,
          negativePrototypes: cappedNegatives(m.negativePrototypes, clusterings),
          dedupePrototypes: m.dedupePrototypes,
          rng: context.rng,
          alignmentWeight: m.alignmentWeight,
          uniformityWeight: m.uniformityWeight,
          correlationWeight,
          uniformityT: m.uniformityT,
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
