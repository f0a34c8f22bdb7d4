export { toRng } from './random-source';
export type { RandomSource } from './random-source';
export { sampleResizedCropBox, roundHalfEven } from './crop-box';
export type { CropBox } from './crop-box';
export { resizedCrop } from './resized-crop';
export type { ResizedCropOptions } from './resized-crop';
export { randomResizedCrop, RANDOM_RESIZED_CROP_DEFAULTS } from './random-resized-crop';
export type { RandomResizedCropOptions } from './random-resized-crop';
export { flipHorizontal, horizontalFlip, HORIZONTAL_FLIP_DEFAULTS } from './flip';
export type { HorizontalFlipOptions } from './flip';
export { GRAYSCALE_WEIGHTS } from './color-affine';
export { adjustBrightness, adjustContrast, adjustSaturation, rgbToGrayscale } from './adjust-color';
export type { RgbToGrayscaleOptions } from './adjust-color';
export { adjustHue } from './adjust-hue';
export { applyColorJitter, colorJitter, sampleColorJitter, COLOR_JITTER_DEFAULTS } from './color-jitter';
export type { ColorJitterOptions, JitterOp, JitterParams, JitterStrength } from './color-jitter';
export { randomGrayscale, RANDOM_GRAYSCALE_DEFAULTS } from './random-grayscale';
export type { RandomGrayscaleOptions } from './random-grayscale';
export {
  blurKernelSize,
  gaussianBlur,
  gaussianKernel1d,
  randomGaussianBlur,
  RANDOM_GAUSSIAN_BLUR_DEFAULTS,
} from './gaussian-blur';
export type { RandomGaussianBlurOptions } from './gaussian-blur';
export { randomSolarize, solarize, RANDOM_SOLARIZE_DEFAULTS } from './solarize';
export type { RandomSolarizeOptions } from './solarize';
export { normalize } from './normalize';
export type { NormalizeOptions } from './normalize';
export { centerCrop, resize, resizeCenterCrop, resizedShape } from './resize';
export type { ResizeCenterCropOptions } from './resize';
export { compose, describeAugmentation, fixed, multiView, step } from './compose';
export type { Augmentation, AugmentStep, MultiViewAugmentation } from './compose';
export { multiCrop } from './multi-crop';
export type { CropGroup } from './multi-crop';
export {
  AUGMENT_PRESET_NAMES,
  CIFAR10_NORMALIZATION,
  FASHION_MNIST_NORMALIZATION,
  getAugmentPreset,
  IMAGENET_NORMALIZATION,
  STL10_NORMALIZATION,
} from './presets';
export type { AugmentPreset, AugmentPresetName, AugmentPresetOptions, DecodeCrop } from './presets';
