/**
 * One augmentation preset per paper setup of spec/losses.md §0.5, plus a
 * CPU preset for the embedded Fashion-MNIST. Each has a training view
 * (apply it twice, or use `multiView`) and the evaluation transform.
 */
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { argumentError, assertOneOf } from '@contrastive/core';
import { colorJitter } from './color-jitter';
import { compose, describeAugmentation, fixed, step, type Augmentation, type AugmentStep } from './compose';
import { horizontalFlip } from './flip';
import { randomGaussianBlur } from './gaussian-blur';
import { normalize, type NormalizeOptions } from './normalize';
import { randomGrayscale } from './random-grayscale';
import { randomResizedCrop } from './random-resized-crop';
import { resizeCenterCrop } from './resize';

/** ImageNet statistics (MoCo main_moco.py, PCL, torchvision examples). */
export const IMAGENET_NORMALIZATION: Readonly<NormalizeOptions> = Object.freeze({
  mean: Object.freeze([0.485, 0.456, 0.406]),
  std: Object.freeze([0.229, 0.224, 0.225]),
});
/** CIFAR-10 statistics of the MoCo CIFAR demo and DySTreSS (spec §0.5). */
export const CIFAR10_NORMALIZATION: Readonly<NormalizeOptions> = Object.freeze({
  mean: Object.freeze([0.4914, 0.4822, 0.4465]),
  std: Object.freeze([0.2023, 0.1994, 0.201]),
});
/** STL-10 training-set statistics (align_uniform's STL-10 example normalises with them [U]). */
export const STL10_NORMALIZATION: Readonly<NormalizeOptions> = Object.freeze({
  mean: Object.freeze([0.4409, 0.4279, 0.3868]),
  std: Object.freeze([0.2683, 0.261, 0.2687]),
});
/** Fashion-MNIST training-set statistics. */
export const FASHION_MNIST_NORMALIZATION: Readonly<NormalizeOptions> = Object.freeze({
  mean: Object.freeze([0.286]),
  std: Object.freeze([0.353]),
});

export interface AugmentPreset {
  readonly name: AugmentPresetName;
  /** What the training view does, in torchvision terms. */
  readonly description: string;
  /** Where it comes from (spec section and the official code). */
  readonly source: string;
  /**
   * The training view as data, read from the `train` pipeline itself: each
   * op in the order it runs, with its options (probabilities, ranges, sizes).
   */
  readonly steps: readonly AugmentStep[];
  /** Side of the training views. */
  readonly size: number;
  /**
   * One training view; call twice (or `multiView(train, 2)`) for a pair.
   * With `cropAtDecode`, its input is already a view cut at decode time
   * (`decodeCrop`, `[N, size, size, C]`), and it runs the rest: flip, colour,
   * grayscale, blur, normalisation.
   */
  readonly train: Augmentation;
  /**
   * The test-time transform (deterministic; ignores the random source). With
   * `cropAtDecode`, its input is already `evalDecode` (resized and centre-cut).
   */
  readonly eval: Augmentation;
  /** True when `train` and `eval` expect images cropped at decode ({@link AugmentPresetOptions}). */
  readonly cropAtDecode: boolean;
  /** The preset's RandomResizedCrop, for a loader that cuts it at decode (an ImageFolder's views). */
  readonly decodeCrop: DecodeCrop;
  /** The evaluation geometry, torchvision `Resize(resize)` + `CenterCrop(crop)`, for a decoder. */
  readonly evalDecode: { readonly resize: number; readonly crop: number };
}

/** A RandomResizedCrop to cut at decode time: output side, area fraction and aspect-ratio ranges. */
export interface DecodeCrop {
  readonly size: number;
  readonly scale: readonly [number, number];
  readonly ratio: readonly [number, number];
}

/** Options of {@link getAugmentPreset}. */
export interface AugmentPresetOptions {
  /**
   * The images come already cropped: training views cut by the decoder with
   * `decodeCrop` (torchvision's RandomResizedCrop on the full image), and
   * evaluation images already `evalDecode`. `train` then skips its crop and
   * `eval` its resize. Default false (the preset crops the tensors itself).
   */
  readonly cropAtDecode?: boolean;
  /**
   * Replace the preset's RandomResizedCrop area range `[min, max]`
   * (0 < min <= max <= 1), e.g. milder crops for small images. Default: the
   * preset's own (the papers' 0.08-1 or 0.2-1). The description, `steps`
   * and `decodeCrop` show the range used.
   */
  readonly cropScale?: readonly [number, number];
}

export const AUGMENT_PRESET_NAMES = Object.freeze([
  'simclr-cifar',
  'simclr-imagenet',
  'moco-v1',
  'moco-v2',
  'cacr-cifar',
  'cacr-stl10',
  'fashion-mnist-cpu',
] as const);
export type AugmentPresetName = (typeof AUGMENT_PRESET_NAMES)[number];

const norm = (n: Readonly<NormalizeOptions>): Augmentation => fixed(normalize, n);
const evalResize = (resize: number, crop: number, n: Readonly<NormalizeOptions>): Augmentation =>
  compose([fixed(resizeCenterCrop, { resize, crop }), norm(n)]);
const evalNormalizeOnly = (n: Readonly<NormalizeOptions>): Augmentation => (x: Tensor4D) => normalize(x, n);
const identity: Augmentation = compose([]);

/**
 * The parts of a preset: its crop (`crop` with a flip of probability 0.5),
 * the steps after it, and the evaluation transform with and without the
 * resize done at decode.
 */
interface PresetParts {
  readonly name: AugmentPresetName;
  readonly description: string;
  readonly source: string;
  readonly crop: { readonly size: number; readonly scale: readonly [number, number]; readonly ratio?: readonly [number, number] };
  readonly after: readonly Augmentation[];
  /** Resize side of the evaluation transform (CenterCrop is `crop.size`); none: the images are used as they are. */
  readonly evalResize?: number;
  readonly normalization?: Readonly<NormalizeOptions>;
}

function definePreset(parts: PresetParts): { tensor: AugmentPreset; decoded: AugmentPreset } {
  const { crop, after, normalization } = parts;
  const ratio = crop.ratio ?? ([3 / 4, 4 / 3] as const);
  const decodeCrop: DecodeCrop = Object.freeze({ size: crop.size, scale: crop.scale, ratio });
  const evalDecode = Object.freeze({ resize: parts.evalResize ?? crop.size, crop: crop.size });
  const normalizeOnly = normalization === undefined ? identity : evalNormalizeOnly(normalization);
  const common = { name: parts.name, description: parts.description, source: parts.source, size: crop.size, decodeCrop, evalDecode };
  const tensorEval =
    parts.evalResize === undefined
      ? normalizeOnly
      : normalization === undefined
        ? compose([fixed(resizeCenterCrop, { resize: parts.evalResize, crop: crop.size })])
        : evalResize(parts.evalResize, crop.size, normalization);
  const train = compose([step(randomResizedCrop, { size: crop.size, scale: crop.scale, ...(crop.ratio === undefined ? {} : { ratio: crop.ratio }), flipP: 0.5 }), ...after]);
  const decodedTrain = compose([step(horizontalFlip, { p: 0.5 }), ...after]);
  return {
    tensor: { ...common, train, steps: describeAugmentation(train)!, eval: tensorEval, cropAtDecode: false },
    decoded: { ...common, train: decodedTrain, steps: describeAugmentation(decodedTrain)!, eval: normalizeOnly, cropAtDecode: true },
  };
}

// RandomHorizontalFlip is folded into the crop (flipP) on tensors: every op
// after it in these pipelines is flip-equivariant, so the distribution is
// unchanged. With crops cut at decode, the flip is the first tensor op.
const PARTS: readonly PresetParts[] = [
  {
    name: 'simclr-cifar',
    description:
      'RandomResizedCrop(32, scale=(0.08, 1)), RandomHorizontalFlip, RandomApply(ColorJitter(0.4, 0.4, 0.4, 0.1), p=0.8), RandomGrayscale(0.2), Normalize(CIFAR-10)',
    source: 'spec §0.5 "CIFAR, SimCLR-style"; MoCo CIFAR-10 demo, DySTreSS smallscale',
    crop: { size: 32, scale: [0.08, 1] },
    after: [
      step(colorJitter, { brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, p: 0.8 }),
      step(randomGrayscale, { p: 0.2 }),
      norm(CIFAR10_NORMALIZATION),
    ],
    normalization: CIFAR10_NORMALIZATION,
  },
  {
    name: 'simclr-imagenet',
    description:
      'RandomResizedCrop(224, scale=(0.08, 1), ratio=(3/4, 4/3)), flip, RandomApply(ColorJitter(0.8, 0.8, 0.8, 0.2), p=0.8), RandomGrayscale(0.2), RandomApply(GaussianBlur(23, sigma=(0.1, 2)), p=0.5); no normalisation (SimCLR feeds [0, 1])',
    source: 'spec §0.5 "ImageNet, SimCLR" (simclr data_util.py, s = 1); colour ops with torchvision semantics',
    crop: { size: 224, scale: [0.08, 1], ratio: [3 / 4, 4 / 3] },
    after: [
      step(colorJitter, { brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2, p: 0.8 }),
      step(randomGrayscale, { p: 0.2 }),
      step(randomGaussianBlur, { sigma: [0.1, 2], kernelSize: 23, p: 0.5 }),
    ],
    evalResize: 256,
  },
  {
    name: 'moco-v1',
    description:
      'RandomResizedCrop(224, scale=(0.2, 1)), RandomGrayscale(0.2), ColorJitter(0.4, 0.4, 0.4, 0.4), RandomHorizontalFlip, Normalize(ImageNet)',
    source: 'spec §0.5 "ImageNet, MoCo v1 (aug)"; moco main_moco.py, PCL main_pcl.py',
    crop: { size: 224, scale: [0.2, 1] },
    after: [
      step(randomGrayscale, { p: 0.2 }),
      step(colorJitter, { brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.4 }),
      norm(IMAGENET_NORMALIZATION),
    ],
    evalResize: 256,
    normalization: IMAGENET_NORMALIZATION,
  },
  {
    name: 'moco-v2',
    description:
      'RandomResizedCrop(224, scale=(0.2, 1)), RandomApply(ColorJitter(0.4, 0.4, 0.4, 0.1), p=0.8), RandomGrayscale(0.2), RandomApply(GaussianBlur(sigma=(0.1, 2)), p=0.5), RandomHorizontalFlip, Normalize(ImageNet)',
    source: 'spec §0.5 "ImageNet, MoCo v2 aug+"; moco main_moco.py --aug-plus (also PCL v2, SiMo, CACR ImageNet)',
    crop: { size: 224, scale: [0.2, 1] },
    after: [
      step(colorJitter, { brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, p: 0.8 }),
      step(randomGrayscale, { p: 0.2 }),
      step(randomGaussianBlur, { sigma: [0.1, 2], kernelSize: 23, p: 0.5 }),
      norm(IMAGENET_NORMALIZATION),
    ],
    evalResize: 256,
    normalization: IMAGENET_NORMALIZATION,
  },
  {
    name: 'cacr-cifar',
    description:
      'RandomResizedCrop(32, scale=(0.2, 1)), RandomHorizontalFlip, ColorJitter(0.4, 0.4, 0.4, 0.4), RandomGrayscale(0.2), Normalize(CIFAR-10)',
    source: 'spec §0.5 "CIFAR, align-uniform/CACR protocol", §6(c); normalisation statistics [U]',
    crop: { size: 32, scale: [0.2, 1] },
    after: [
      step(colorJitter, { brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.4 }),
      step(randomGrayscale, { p: 0.2 }),
      norm(CIFAR10_NORMALIZATION),
    ],
    normalization: CIFAR10_NORMALIZATION,
  },
  {
    name: 'cacr-stl10',
    description:
      'RandomResizedCrop(64, scale=(0.08, 1)), RandomHorizontalFlip, ColorJitter(0.4, 0.4, 0.4, 0.4), RandomGrayscale(0.2), Normalize(STL-10); eval Resize(70), CenterCrop(64)',
    source: 'spec §0.5 "For STL-10" and "Evaluation / test transforms"; align_uniform STL-10 example',
    crop: { size: 64, scale: [0.08, 1] },
    after: [
      step(colorJitter, { brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.4 }),
      step(randomGrayscale, { p: 0.2 }),
      norm(STL10_NORMALIZATION),
    ],
    evalResize: 70,
    normalization: STL10_NORMALIZATION,
  },
  {
    name: 'fashion-mnist-cpu',
    description:
      'RandomResizedCrop(28, scale=(0.2, 1)), RandomHorizontalFlip, RandomApply(ColorJitter(brightness=0.4, contrast=0.4), p=0.8), Normalize(0.286, 0.353); one channel: no saturation, hue or grayscale',
    source: 'ours: the CIFAR recipes of spec §0.5 reduced to what a one-channel 28x28 image supports',
    crop: { size: 28, scale: [0.2, 1] },
    after: [step(colorJitter, { brightness: 0.4, contrast: 0.4, p: 0.8 }), norm(FASHION_MNIST_NORMALIZATION)],
    normalization: FASHION_MNIST_NORMALIZATION,
  },
];

const PRESETS = Object.fromEntries(PARTS.map((parts) => [parts.name, definePreset(parts)])) as Record<
  AugmentPresetName,
  { tensor: AugmentPreset; decoded: AugmentPreset }
>;

/**
 * The preset `name`; throws UNKNOWN_NAME (with the nearest name) otherwise.
 * `{ cropAtDecode: true }`: the variant for images cropped at decode (see
 * {@link AugmentPresetOptions}).
 */
export function getAugmentPreset(name: AugmentPresetName, options: AugmentPresetOptions = {}): AugmentPreset {
  assertOneOf('getAugmentPreset', 'name', name, AUGMENT_PRESET_NAMES);
  const cropAtDecode = options.cropAtDecode ?? false;
  if (typeof cropAtDecode !== 'boolean') {
    throw argumentError('INVALID_ARGUMENT', 'getAugmentPreset', 'options.cropAtDecode', 'a boolean', String(cropAtDecode));
  }
  const presets = options.cropScale === undefined ? PRESETS[name] : withCropScale(name, options.cropScale);
  return cropAtDecode ? presets.decoded : presets.tensor;
}

/** The preset `name` with its crop's area range replaced by `scale` (validated). */
function withCropScale(name: AugmentPresetName, scale: readonly [number, number]): { tensor: AugmentPreset; decoded: AugmentPreset } {
  const [min, max] = Array.isArray(scale) ? scale : [];
  const valid = scale.length === 2 && Number.isFinite(min) && Number.isFinite(max) && min! > 0 && min! <= max! && max! <= 1;
  if (!valid) {
    throw argumentError('INVALID_ARGUMENT', 'getAugmentPreset', 'options.cropScale', '[min, max] with 0 < min <= max <= 1', JSON.stringify(scale));
  }
  const parts = PARTS.find((p) => p.name === name)!;
  const original = `scale=(${parts.crop.scale[0]}, ${parts.crop.scale[1]})`;
  const replaced = `scale=(${min}, ${max})`;
  return definePreset({
    ...parts,
    description: parts.description.replace(original, replaced),
    crop: { ...parts.crop, scale: [min!, max!] },
  });
}
