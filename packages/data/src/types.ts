/**
 * The common shape of every dataset reader: a random-access collection of
 * uint8 HWC images with integer labels, read on demand and in batches.
 */

/** Image shape `[height, width, channels]` (HWC). */
export type ImageShape = readonly [height: number, width: number, channels: number];

/**
 * A batch of decoded images as plain typed arrays (no tensors yet).
 *
 * `images` is NHWC, row-major, uint8 in [0, 255]:
 * pixel (n, y, x, c) is `images[((n * H + y) * W + x) * C + c]`.
 */
export interface ImageBatch {
  /** `count * H * W * C` bytes, NHWC. */
  readonly images: Uint8Array;
  /** One label per image; `-1` marks an unlabelled image (STL-10 `unlabeled`). */
  readonly labels: Int32Array;
  /**
   * Dataset indices of the returned images, in order. Equal to the request,
   * except for an ImageFolder with `skipCorrupt`, which leaves out images it
   * could not decode.
   */
  readonly indices: Int32Array;
  /** `[count, H, W, C]`. */
  readonly shape: readonly [number, number, number, number];
}

/** A random-access image dataset. Reads never mutate it. */
export interface Dataset {
  /** Human-readable name, e.g. `cifar10/train`. */
  readonly name: string;
  /** Number of images. */
  readonly length: number;
  /** Number of classes (labels are 0..numClasses-1, or -1 for unlabelled). */
  readonly numClasses: number;
  /** Class names, index = label. */
  readonly classNames: readonly string[];
  /** `[H, W, C]` of every image. */
  readonly imageShape: ImageShape;
  /**
   * Reads the images at `indices` (any order, repeats allowed). Throws
   * `OUT_OF_RANGE` for an index outside [0, length) and `CORRUPT_DATA` (naming
   * the file and record) for bad data.
   */
  get(indices: ArrayLike<number>): Promise<ImageBatch>;
  /** Every label, index = dataset index (-1 for unlabelled images). */
  labels(): Promise<Int32Array>;
}

/**
 * Random resized crops to cut at decode time ({@link ViewDataset.getViews}):
 * `count` views per image, each a box drawn on the full image with
 * torchvision's RandomResizedCrop sampler and resized to `size`.
 */
export interface ViewRequest {
  /** Views per image (2 for SimCLR/MoCo). */
  readonly count: number;
  /** `[height, width]` of every view. */
  readonly size: readonly [number, number];
  /** Area fraction range, e.g. [0.08, 1] (SimCLR) or [0.2, 1] (MoCo). */
  readonly scale: readonly [number, number];
  /** Aspect ratio (width / height) range, e.g. [3/4, 4/3]. */
  readonly ratio: readonly [number, number];
  /** Seed of the crops; an image's boxes depend only on (seed, epoch, its index). */
  readonly seed: number;
  readonly epoch: number;
}

/**
 * Views of a batch of images. `images` holds `count` views of each of the
 * `n` images, view-major: `[count * n, H, W, C]`, rows `v * n .. v * n + n - 1`
 * are view v of every image. `labels` and `indices` have one entry per image.
 */
export interface ViewBatch extends ImageBatch {
  /** Views per image. */
  readonly views: number;
  /**
   * The crop boxes in source pixels, view-major like `images`: box of view v
   * of image i at `4 * (v * n + i)`: top, left, height, width.
   */
  readonly boxes: Int32Array;
}

/** A dataset that can decode random resized crops from its full-size images (ImageFolder). */
export interface ViewDataset extends Dataset {
  /**
   * `request.count` random resized crops of each image at `indices`, cut from
   * the decoded full image (not from `imageShape`).
   */
  getViews(indices: ArrayLike<number>, request: ViewRequest): Promise<ViewBatch>;
}
