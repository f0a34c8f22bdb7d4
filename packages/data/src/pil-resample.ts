/**
 * A crop of a packed RGB image resized with Pillow's separable resampling
 * (`Image.crop(box).resize(size, filter)`, what torchvision's
 * `RandomResizedCrop` runs on PIL images): the filter widened by the scale
 * when shrinking (antialiasing), weights normalised per output pixel and
 * rounded to 22-bit fixed point, a horizontal pass rounded to 8 bits, then a
 * vertical pass. Integer arithmetic throughout, so the bytes equal Pillow's
 * (test vectors from Pillow 9.4 in `__fixtures__/pil-resized-crop.json`).
 *
 * The functions here are self-contained (no imports, no module constants):
 * `crop-workers.ts` ships their source text to worker threads.
 */

/** Pillow's resampling filters by sharp's kernel names. */
export type PilFilter = 'linear' | 'cubic' | 'lanczos3';

/**
 * Weight of `filter` at distance `x` (Pillow's `bilinear_filter`,
 * `bicubic_filter` with a = -0.5, `lanczos_filter`: sinc windowed by sinc(x / 3)).
 */
export function pilFilterWeight(filter: PilFilter, x: number): number {
  if (filter === 'lanczos3') {
    if (!(x >= -3 && x < 3)) return 0;
    const third = x / 3;
    const a = x * Math.PI;
    const b = third * Math.PI;
    return (x === 0 ? 1 : Math.sin(a) / a) * (third === 0 ? 1 : Math.sin(b) / b);
  }
  if (x < 0) x = -x;
  if (filter === 'linear') return x < 1 ? 1 - x : 0;
  const a = -0.5;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

/** Support (half-width before widening) of each filter. */
export function pilFilterSupport(filter: PilFilter): number {
  return filter === 'linear' ? 1 : filter === 'cubic' ? 2 : 3;
}

/**
 * One axis's taps (Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc`):
 * for output pixel `o`, input pixels `first[o] .. first[o] + count[o] - 1`
 * with fixed-point weights `weights[o * taps + j]` (sum about 2^22).
 */
export function pilAxisTaps(
  inSize: number,
  outSize: number,
  filter: PilFilter,
): { first: Int32Array; count: Int32Array; weights: Int32Array; taps: number } {
  const scale = inSize / outSize;
  const filterScale = scale < 1 ? 1 : scale;
  const support = pilFilterSupport(filter) * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * taps);
  const raw = new Float64Array(taps);
  const one = 4194304; // 1 << 22, Pillow's PRECISION_BITS = 32 - 8 - 2
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    let lo = Math.trunc(center - support + 0.5);
    if (lo < 0) lo = 0;
    let hi = Math.trunc(center + support + 0.5);
    if (hi > inSize) hi = inSize;
    const n = hi - lo;
    const step = 1 / filterScale;
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const w = pilFilterWeight(filter, (j + lo - center + 0.5) * step);
      raw[j] = w;
      sum += w;
    }
    // Taps whose fixed-point weight is 0 at either end add nothing: left out.
    let start = 0;
    let end = n;
    const fixed = (j: number): number => {
      const w = sum !== 0 ? raw[j]! / sum : raw[j]!;
      return w < 0 ? Math.trunc(-0.5 + w * one) : Math.trunc(0.5 + w * one);
    };
    while (start < end && fixed(start) === 0) start++;
    while (end > start && fixed(end - 1) === 0) end--;
    for (let j = start; j < end; j++) weights[o * taps + j - start] = fixed(j);
    first[o] = lo + start;
    count[o] = end - start;
  }
  return { first, count, weights, taps };
}

/** Pillow's `clip8`: a 22-bit fixed-point sum to a byte. */
export function pilClipByte(sum: number): number {
  if (sum >= 1073741824) return 255; // 255.x in 22-bit fixed point: 1 << 22 << 8
  if (sum <= 0) return 0;
  return sum >> 22;
}

/**
 * `box` (top, left, height, width in pixels, inside the image) of a packed
 * RGB image `src` (`srcWidth` pixels per row) resized to
 * `outHeight x outWidth` with `filter`, written to `out` (packed RGB,
 * `outHeight * outWidth * 3` bytes from `outOffset`). `scratch`, when
 * given and large enough, holds the horizontal pass instead of a new array
 * (callers resizing many crops pass one and keep it).
 */
export function pilResizedCrop(
  src: Uint8Array,
  srcWidth: number,
  box: { readonly top: number; readonly left: number; readonly height: number; readonly width: number },
  outHeight: number,
  outWidth: number,
  filter: PilFilter,
  out: Uint8Array,
  outOffset: number,
  scratch?: Uint8Array,
): void {
  const stride = srcWidth * 3;
  const horizontal = box.width !== outWidth;
  const vertical = box.height !== outHeight;
  const v = pilAxisTaps(box.height, outHeight, filter);
  const rowFirst = vertical ? v.first[0]! : 0;
  const rowEnd = vertical ? v.first[outHeight - 1]! + v.count[outHeight - 1]! : box.height;
  // Horizontal pass over the rows the vertical pass reads (Pillow's imTemp).
  let temp: Uint8Array;
  let tempStride: number;
  let tempOffset: number;
  if (horizontal) {
    const h = pilAxisTaps(box.width, outWidth, filter);
    tempStride = outWidth * 3;
    tempOffset = 0;
    const tempBytes = (rowEnd - rowFirst) * tempStride;
    temp = !vertical ? out : scratch !== undefined && scratch.length >= tempBytes ? scratch : new Uint8Array(tempBytes);
    if (!vertical) tempOffset = outOffset;
    const hFirst = h.first;
    const hCount = h.count;
    const hWeights = h.weights;
    const hTaps = h.taps;
    for (let y = rowFirst; y < rowEnd; y++) {
      const rowStart = (box.top + y) * stride + box.left * 3;
      let t = tempOffset + (y - rowFirst) * tempStride;
      for (let x = 0; x < outWidth; x++) {
        const n = hCount[x]!;
        let k = x * hTaps;
        const kEnd = k + n;
        let p = rowStart + hFirst[x]! * 3;
        let r = 2097152; // 1 << 21: rounding
        let g = 2097152;
        let b = 2097152;
        for (; k < kEnd; k++, p += 3) {
          const w = hWeights[k]!;
          r += src[p]! * w;
          g += src[p + 1]! * w;
          b += src[p + 2]! * w;
        }
        temp[t++] = pilClipByte(r);
        temp[t++] = pilClipByte(g);
        temp[t++] = pilClipByte(b);
      }
    }
    if (!vertical) return;
  } else {
    temp = src;
    tempStride = stride;
    tempOffset = box.left * 3 + (box.top + rowFirst) * stride;
  }
  if (!vertical) {
    // Neither pass: a plain copy of the box.
    for (let y = 0; y < outHeight; y++) {
      const s = tempOffset + y * tempStride;
      out.set(temp.subarray(s, s + outWidth * 3), outOffset + y * outWidth * 3);
    }
    return;
  }
  // Vertical pass: each output row accumulated tap by tap over whole rows (sequential reads).
  const rowBytes = outWidth * 3;
  const sums = new Int32Array(rowBytes);
  for (let y = 0; y < outHeight; y++) {
    const n = v.count[y]!;
    const k0 = y * v.taps;
    const base = tempOffset + (v.first[y]! - rowFirst) * tempStride;
    sums.fill(2097152); // 1 << 21: rounding
    let j = 0;
    // Two taps per sweep: half the loads and stores of the sums.
    for (; j + 1 < n; j += 2) {
      const k1 = v.weights[k0 + j]!;
      const k2 = v.weights[k0 + j + 1]!;
      const r1 = base + j * tempStride;
      const r2 = r1 + tempStride;
      for (let c = 0; c < rowBytes; c++) sums[c] = (sums[c]! + temp[r1 + c]! * k1 + temp[r2 + c]! * k2) | 0;
    }
    if (j < n) {
      const k1 = v.weights[k0 + j]!;
      const r1 = base + j * tempStride;
      for (let c = 0; c < rowBytes; c++) sums[c] = (sums[c]! + temp[r1 + c]! * k1) | 0;
    }
    const o = outOffset + y * rowBytes;
    for (let c = 0; c < rowBytes; c++) out[o + c] = pilClipByte(sums[c]!);
  }
}

/** One image's views to cut, as posted to a crop worker. */
export interface PilCropMessage {
  id: number;
  pixels: Uint8Array;
  width: number;
  boxes: Int32Array;
  outHeight: number;
  outWidth: number;
  filter: PilFilter;
}

/**
 * The views of one message (boxes as top, left, height, width quadruples) cut
 * into one new array, one view after the other; `scratch.buffer` is reused and
 * grown for the horizontal passes. Throws when the pixels or a box do not fit.
 */
export function pilCropViews(m: PilCropMessage, scratch: { buffer: Uint8Array }): Uint8Array {
  const viewBytes = m.outHeight * m.outWidth * 3;
  const boxes = pilMessageBoxes(m);
  const views = new Uint8Array(boxes.length * viewBytes);
  for (let v = 0; v < boxes.length; v++) {
    const box = boxes[v]!;
    const need = box.height * m.outWidth * 3;
    if (scratch.buffer.length < need) scratch.buffer = new Uint8Array(need);
    pilResizedCrop(m.pixels, m.width, box, m.outHeight, m.outWidth, m.filter, views, v * viewBytes, scratch.buffer);
  }
  return views;
}

/** The boxes of a message, checked against its pixels (throws when one does not fit). */
export function pilMessageBoxes(m: PilCropMessage): { top: number; left: number; height: number; width: number }[] {
  if (m.pixels.length % (m.width * 3) !== 0) throw new Error(`${m.pixels.length} bytes are not rows of ${m.width} RGB pixels`);
  const rows = m.pixels.length / (m.width * 3);
  const boxes: { top: number; left: number; height: number; width: number }[] = [];
  for (let v = 0; v < m.boxes.length / 4; v++) {
    const box = { top: m.boxes[4 * v]!, left: m.boxes[4 * v + 1]!, height: m.boxes[4 * v + 2]!, width: m.boxes[4 * v + 3]! };
    if (box.top < 0 || box.left < 0 || box.height < 1 || box.width < 1 || box.top + box.height > rows || box.left + box.width > m.width) {
      throw new Error(`crop box ${m.boxes.subarray(4 * v, 4 * v + 4).join(',')} (top, left, height, width) outside the ${rows}x${m.width} image`);
    }
    boxes.push(box);
  }
  return boxes;
}

/** The exports of pil-resample.wat (see pil-resample-wasm.ts). */
export interface PilResampleWasm {
  readonly memory: WebAssembly.Memory;
  horizontal(
    src: number,
    srcStride: number,
    rows: number,
    outWidth: number,
    first: number,
    count: number,
    weights: number,
    taps: number,
    dst: number,
    dstStride: number,
  ): void;
  vertical(src: number, srcStride: number, outHeight: number, rowBytes: number, first: number, count: number, weights: number, taps: number, dst: number): void;
}

/**
 * {@link pilCropViews} with the two passes in WebAssembly SIMD (same bytes):
 * the pixels copied once into the module's memory, each view's taps written
 * beside them, the views read back as one new array.
 */
export function pilCropViewsWasm(m: PilCropMessage, wasm: PilResampleWasm): Uint8Array {
  const boxes = pilMessageBoxes(m);
  const outH = m.outHeight;
  const outW = m.outWidth;
  const rowBytes = outW * 3;
  const viewBytes = outH * rowBytes;
  const stride = m.width * 3;
  // Every region starts on 16 bytes and has 16 spare bytes after it: the passes write and read whole groups.
  const next = (at: number, bytes: number): number => (at + bytes + 16 + 15) & ~15;
  const srcAt = 0;
  const outAt = next(srcAt, m.pixels.length);
  const scratchAt = next(outAt, boxes.length * viewBytes);
  const reserve = (end: number): void => {
    const have = wasm.memory.buffer.byteLength;
    if (end > have) wasm.memory.grow(Math.ceil((end - have) / 65536));
  };
  reserve(scratchAt);
  new Uint8Array(wasm.memory.buffer).set(m.pixels, srcAt);
  /** Writes one axis's taps (first as byte offsets: `first * unit - shift`) at `at`; returns [first, count, weights, end]. */
  const writeTaps = (t: { first: Int32Array; count: Int32Array; weights: Int32Array }, at: number, unit: number, shift: number): number[] => {
    const n = t.first.length;
    const firstAt = at;
    const countAt = next(firstAt, 4 * n);
    const weightsAt = next(countAt, 4 * n);
    const end = next(weightsAt, 4 * t.weights.length);
    reserve(end);
    const words = new Int32Array(wasm.memory.buffer);
    for (let i = 0; i < n; i++) words[(firstAt >> 2) + i] = t.first[i]! * unit - shift;
    words.set(t.count, countAt >> 2);
    words.set(t.weights, weightsAt >> 2);
    return [firstAt, countAt, weightsAt, end];
  };
  for (let v = 0; v < boxes.length; v++) {
    const box = boxes[v]!;
    const boxAt = srcAt + box.top * stride + box.left * 3;
    const viewAt = outAt + v * viewBytes;
    const horizontal = box.width !== outW;
    const vertical = box.height !== outH;
    const vt = pilAxisTaps(box.height, outH, m.filter);
    if (horizontal) {
      const ht = pilAxisTaps(box.width, outW, m.filter);
      const rowFirst = vertical ? vt.first[0]! : 0;
      const rowEnd = vertical ? vt.first[outH - 1]! + vt.count[outH - 1]! : box.height;
      const [hFirst, hCount, hWeights, hEnd] = writeTaps(ht, scratchAt, 3, 0);
      const tempAt = hEnd!;
      const [vFirst, vCount, vWeights, vEnd] = writeTaps(vt, next(tempAt, (rowEnd - rowFirst) * rowBytes), rowBytes, rowFirst * rowBytes);
      reserve(vEnd!);
      wasm.horizontal(boxAt + rowFirst * stride, stride, rowEnd - rowFirst, outW, hFirst!, hCount!, hWeights!, ht.taps, vertical ? tempAt : viewAt, rowBytes);
      if (vertical) wasm.vertical(tempAt, rowBytes, outH, rowBytes, vFirst!, vCount!, vWeights!, vt.taps, viewAt);
    } else if (vertical) {
      const [vFirst, vCount, vWeights] = writeTaps(vt, scratchAt, stride, 0);
      wasm.vertical(boxAt, stride, outH, rowBytes, vFirst!, vCount!, vWeights!, vt.taps, viewAt);
    } else {
      const bytes = new Uint8Array(wasm.memory.buffer);
      for (let y = 0; y < outH; y++) bytes.copyWithin(viewAt + y * rowBytes, boxAt + y * stride, boxAt + y * stride + rowBytes);
    }
  }
  return new Uint8Array(wasm.memory.buffer, outAt, boxes.length * viewBytes).slice();
}

/**
 * An instance of pil-resample.wat from its bytes in base64
 * (`PIL_RESAMPLE_WASM_BASE64`), or undefined where WebAssembly SIMD is
 * missing (then {@link pilCropViews} does the work in JavaScript).
 */
export function pilResampleWasm(base64: string): PilResampleWasm | undefined {
  try {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const module = new WebAssembly.Module(bytes);
    return new WebAssembly.Instance(module, {}).exports as unknown as PilResampleWasm;
  } catch {
    return undefined;
  }
}

/** Cuts the views of messages: the WebAssembly passes where the module instantiates, else JavaScript (same bytes). */
export interface PilViewCutter {
  readonly engine: 'wasm' | 'javascript';
  cut(m: PilCropMessage): Uint8Array;
}

/** A {@link PilViewCutter} over pil-resample.wat's bytes in base64 (one per thread: it keeps its memory and scratch). */
export function pilViewCutter(base64: string): PilViewCutter {
  const wasm = pilResampleWasm(base64);
  const scratch = { buffer: new Uint8Array(0) };
  return {
    engine: wasm !== undefined ? 'wasm' : 'javascript',
    cut: (m) => (wasm !== undefined ? pilCropViewsWasm(m, wasm) : pilCropViews(m, scratch)),
  };
}
