/**
 * torchvision's `RandomResizedCrop.get_params`: up to 10 attempts at a box
 * of area `scale * H * W` and aspect ratio (log-uniform in `ratio`), then the
 * centre-crop fallback. Pure JavaScript on the generator's draws.
 */
import type { Rng } from '@contrastive/core';

/** A crop in pixels: rows `top..top+height-1`, columns `left..left+width-1`. */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** Python's round(): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * One crop box for an image of `height x width`.
 * scale: fraction of the area, e.g. [0.08, 1]; ratio: width/height range, e.g. [3/4, 4/3].
 */
export function sampleResizedCropBox(
  height: number,
  width: number,
  rng: Rng,
  options: { scale: readonly [number, number]; ratio: readonly [number, number] },
): CropBox {
  const { scale, ratio } = options;
  const area = height * width;
  const logLow = Math.log(ratio[0]);
  const logHigh = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logLow, logHigh));
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = rng.int(height - h + 1);
      const left = rng.int(width - w + 1);
      return { top, left, height: h, width: w };
    }
  }
  // Fallback: the largest centred box whose aspect ratio is inside `ratio`.
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < Math.min(ratio[0], ratio[1])) {
    h = roundHalfEven(w / Math.min(ratio[0], ratio[1]));
  } else if (inRatio > Math.max(ratio[0], ratio[1])) {
    w = roundHalfEven(h * Math.max(ratio[0], ratio[1]));
  }
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}
