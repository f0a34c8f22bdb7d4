/**
 * Weight initialisers matching the reference PyTorch code, as tfjs-layers
 * initialisers (serialisable, seeded, backend-independent). Pass a non-zero
 * seed: tfjs treats seed 0 as unseeded.
 */
import { initializers } from '@tensorflow/tfjs-layers';

/** A tfjs-layers initializer instance. */
export type LayerInitializer = ReturnType<typeof initializers.zeros>;

/**
 * torchvision's ResNet conv init, `kaiming_normal_(mode='fan_out', nonlinearity='relu')`:
 * N(0, 2 / fan_out) with fan_out = outChannels * kernel * kernel (an untruncated normal).
 */
export function kaimingNormalFanOut(kernelSize: number, outChannels: number, seed: number): LayerInitializer {
  const stddev = Math.sqrt(2 / (outChannels * kernelSize * kernelSize));
  return initializers.randomNormal({ mean: 0, stddev, seed });
}

/**
 * PyTorch's default `nn.Linear` init (weight `kaiming_uniform_(a=sqrt(5))` and
 * bias alike): U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
 */
export function torchLinearDefault(fanIn: number, seed: number): LayerInitializer {
  const bound = 1 / Math.sqrt(fanIn);
  return initializers.randomUniform({ minval: -bound, maxval: bound, seed });
}

/** N(0, stddev^2), untruncated (SiMo heads 0.01, SmallAlexNet 0.02). */
export function normalInit(stddev: number, seed: number): LayerInitializer {
  return initializers.randomNormal({ mean: 0, stddev, seed });
}

/** Zeros (biases under the normal init; zero-init residual gamma). */
export function zerosInit(): LayerInitializer {
  return initializers.zeros();
}
