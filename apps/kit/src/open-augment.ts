/**
 * The augmentation of a run: an @contrastive/augment preset, optionally with
 * its final Normalize swapped for another dataset's statistics
 * (`augment.normalization`), e.g. CACR's CIFAR-100 code normalises its
 * SimCLR-style CIFAR pipeline with CIFAR-100's mean and std, and MNIST-style
 * IDX data may use MNIST's.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  CIFAR10_NORMALIZATION,
  FASHION_MNIST_NORMALIZATION,
  getAugmentPreset,
  IMAGENET_NORMALIZATION,
  STL10_NORMALIZATION,
  type Augmentation,
  type AugmentPresetName,
  type DecodeCrop,
} from '@contrastive/augment';

interface Stats {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** Named per-channel statistics `augment.normalization` accepts. */
export const NORMALIZATION_STATS: Readonly<Record<string, Stats>> = Object.freeze({
  cifar10: CIFAR10_NORMALIZATION,
  /** CIFAR-100 training set, as CACR's CIFAR-100 code (small_scale_experiments/cifar100/main_ours.py:89-91). */
  cifar100: Object.freeze({ mean: [0.5071, 0.4867, 0.4408], std: [0.2675, 0.2565, 0.2761] }),
  stl10: STL10_NORMALIZATION,
  imagenet: IMAGENET_NORMALIZATION,
  'fashion-mnist': FASHION_MNIST_NORMALIZATION,
  /** MNIST training set (the usual 0.1307 / 0.3081). */
  mnist: Object.freeze({ mean: [0.1307], std: [0.3081] }),
});
export const NORMALIZATION_NAMES = Object.keys(NORMALIZATION_STATS) as [string, ...string[]];

/** The statistics each preset's last step normalises with; null: the preset feeds [0, 1] (SimCLR). */
const PRESET_STATS: Readonly<Record<AugmentPresetName, Stats | null>> = {
  'simclr-cifar': CIFAR10_NORMALIZATION,
  'simclr-imagenet': null,
  'moco-v1': IMAGENET_NORMALIZATION,
  'moco-v2': IMAGENET_NORMALIZATION,
  'cacr-cifar': CIFAR10_NORMALIZATION,
  'cacr-stl10': STL10_NORMALIZATION,
  'fashion-mnist-cpu': FASHION_MNIST_NORMALIZATION,
};

/** A preset's training view, eval transform and side, as a run uses them. */
export interface RunAugment {
  readonly size: number;
  readonly train: Augmentation;
  readonly eval: Augmentation;
  /** The preset's final Normalize alone (identity for SimCLR's [0, 1]), e.g. for the probe's own crops. */
  readonly normalize: Augmentation;
  /** True when `train` expects views cut at decode (`decodeCrop`) and `eval` images decoded as `evalDecode`. */
  readonly cropAtDecode: boolean;
  /** The preset's RandomResizedCrop, for the loader's `views` when `cropAtDecode`. */
  readonly decodeCrop: DecodeCrop;
  /** The preset's evaluation geometry, Resize(resize) + CenterCrop(crop), for the decoder when `cropAtDecode`. */
  readonly evalDecode: { readonly resize: number; readonly crop: number };
}

/**
 * `x (normalised with from) -> x (normalised with to)`: the per-channel
 * affine (x s_from + m_from - m_to) / s_to, exact up to float32 rounding.
 */
function renormalize(from: Stats | null, to: Stats, channels: number): (x: tf.Tensor4D) => tf.Tensor4D {
  const pick = (v: readonly number[]) => Array.from({ length: channels }, (_, c) => v[v.length === 1 ? 0 : c]!);
  const sFrom = from === null ? Array(channels).fill(1) : pick(from.std);
  const mFrom = from === null ? Array(channels).fill(0) : pick(from.mean);
  const mTo = pick(to.mean);
  const sTo = pick(to.std);
  const scale = sFrom.map((s, c) => s / sTo[c]!);
  const shift = mFrom.map((m, c) => (m - mTo[c]!) / sTo[c]!);
  return (x) => tf.tidy(() => tf.add(tf.mul(x, tf.tensor1d(scale)), tf.tensor1d(shift)) as tf.Tensor4D);
}

/** A preset's decode geometry (its RandomResizedCrop and evaluation Resize + CenterCrop), before any data is open. */
export function augmentGeometry(preset: string, cropScale?: readonly [number, number]): Pick<RunAugment, 'decodeCrop' | 'evalDecode'> {
  const { decodeCrop, evalDecode } = getAugmentPreset(preset as AugmentPresetName, cropScale === undefined ? {} : { cropScale });
  return { decodeCrop, evalDecode };
}

/**
 * The augmentation of `config` (`augment.preset`, optional
 * `augment.normalization` and `augment.cropScale`) for images of `channels`. With `cropAtDecode`
 * (an ImageFolder run), `train` is the preset without its crop (it starts
 * with the flip) and `eval` only normalises: the decoder cut both.
 */
export function openAugment(
  config: { preset: string; normalization?: string | undefined; cropScale?: readonly [number, number] | undefined },
  channels: number,
  options: { cropAtDecode?: boolean } = {},
): RunAugment {
  const cropAtDecode = options.cropAtDecode ?? false;
  const scale = config.cropScale === undefined ? {} : { cropScale: config.cropScale };
  const preset = getAugmentPreset(config.preset as AugmentPresetName, { cropAtDecode, ...scale });
  // With crops cut at decode a preset's eval is its Normalize alone.
  const normalize = getAugmentPreset(config.preset as AugmentPresetName, { cropAtDecode: true }).eval;
  const geometry = { cropAtDecode, decodeCrop: preset.decodeCrop, evalDecode: preset.evalDecode };
  if (config.normalization === undefined) return { size: preset.size, train: preset.train, eval: preset.eval, normalize, ...geometry };
  const to = NORMALIZATION_STATS[config.normalization]!;
  const swap = renormalize(PRESET_STATS[config.preset as AugmentPresetName], to, channels);
  return {
    ...geometry,
    size: preset.size,
    train: (images, random) => {
      const x = preset.train(images, random);
      const y = swap(x);
      if (x !== images) x.dispose();
      return y;
    },
    eval: (images, random) => {
      const x = preset.eval(images, random);
      const y = swap(x);
      if (x !== images) x.dispose();
      return y;
    },
    normalize: (images, random) => {
      const x = normalize(images, random);
      const y = swap(x);
      if (x !== images) x.dispose();
      return y;
    },
  };
}
