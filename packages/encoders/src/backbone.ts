/**
 * The common shape of every encoder backbone in this package.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';

/** Names accepted by {@link createBackbone}. */
export type BackboneName = 'resnet18' | 'resnet34' | 'resnet50' | 'small-alexnet' | 'conv-net';

/** A backbone: images in, the pre-head feature out. */
export interface Backbone {
  /** Which architecture. */
  readonly name: BackboneName;
  /**
   * Functional model: images `[batch, height, width, channels]` float32 ->
   * features `[batch, featureDim]` (the representation used by kNN and linear
   * probes). Train-mode forward: `model.apply(x, { training: true })`.
   */
  readonly model: LayersModel;
  /** Size of the feature vector (ResNet-18/34: 512, ResNet-50: 2048, SmallAlexNet: 4096). */
  readonly featureDim: number;
  /** `[height, width, channels]` the model was built for. */
  readonly inputShape: readonly [number, number, number];
}

/** Options shared by every backbone. */
export interface BackboneCommonOptions {
  /** `[height, width, channels]`. Default depends on the backbone (CIFAR: [32, 32, 3]). */
  inputShape?: readonly [number, number, number];
  /** Seed of the weight initialisation. Default 0. */
  seed?: number;
  /**
   * Groups of every BatchNorm: 1 (default) is plain BatchNorm; n > 1 uses
   * {@link SplitBatchNormalization} (MoCo CIFAR demo: 8) to emulate shuffle-BN.
   */
  batchNormGroups?: number;
  /** Model name. */
  name?: string;
}
