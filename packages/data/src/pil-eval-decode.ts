/**
 * The evaluation decode with Pillow's resampling: torchvision's
 * `Resize(resize)` + `CenterCrop([height, width])` on a PIL image, i.e. the
 * whole image resized (`Image.resize`, shorter side to `resize`) and its
 * centre cut. sharp decodes the file; a crop worker resizes the whole image
 * (`crop-workers.ts`, the same passes as the training views).
 */
import type { CropWorkers } from './crop-workers';
import { centreCropGeometry, decodeRgb } from './image-decode';
import type { PilFilter } from './pil-resample';

/** `[height, width, 3]` bytes of the centre crop of `path` resized with `filter`. */
export async function pilResizeCentreCrop(
  path: string,
  cropper: CropWorkers,
  options: { height: number; width: number; resize: number; filter: PilFilter },
): Promise<Uint8Array> {
  const { height, width, resize, filter } = options;
  const image = await decodeRgb(path);
  const g = centreCropGeometry(image.height, image.width, resize, [height, width]);
  const whole = { top: 0, left: 0, height: image.height, width: image.width };
  const resized = await cropper.crop({ pixels: image.data, height: image.height, width: image.width, boxes: [whole], size: [g.resizedHeight, g.resizedWidth], filter });
  const out = new Uint8Array(height * width * 3);
  for (let y = 0; y < height; y++) {
    const from = ((g.top + y) * g.resizedWidth + g.left) * 3;
    out.set(resized.subarray(from, from + width * 3), y * width * 3);
  }
  return out;
}
