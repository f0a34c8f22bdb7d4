/**
 * The JavaScript passes that composite wasm kernels run on the wasm heap
 * (im2col, col2im, blocked transposes, row copies), each split into `parts`
 * disjoint pieces so that several threads can each run some.
 *
 * Every pass has the signature `(src, dst, q, part, parts)`: `src` and `dst`
 * are views of the heap (32-bit integers, or float32 for the adding passes),
 * `q` its integer parameters. Piece `part` of `parts` writes only its own
 * elements of `dst`, and every element is computed by the same operations in
 * the same order whatever `parts` is, so the split output equals the
 * one-piece output bit for bit.
 *
 * These run on tfjs's single-threaded build and outside Node; the threaded
 * backend runs their WebAssembly twins (`wasm-threads/heap-passes.wat`, same
 * parameters and pieces, tested equal) because typed arrays on its shared
 * heap are slow.
 */

/** `[begin, end)` of piece `part` of `parts` over `[0, length)`, cut at multiples of `align`. */
function pieceRange(length: number, align: number, part: number, parts: number): [number, number] {
  const units = Math.ceil(length / align);
  const begin = Math.min(length, Math.floor((units * part) / parts) * align);
  const end = part === parts - 1 ? length : Math.min(length, Math.floor((units * (part + 1)) / parts) * align);
  return [begin, end];
}

/**
 * One tap of one `[h, w]` plane when output and input rows have the same
 * width (stride 1): output rows `[top, bottom)` are the contiguous source run
 * starting at `start` (the input element of output `(top, 0)`), copied at
 * once from column `lo` of row `top` to column `hi` of row `bottom - 1`; the
 * columns outside `[lo, hi)` (which the run fills with neighbouring rows'
 * pixels) and the rows outside `[top, bottom)` are then zeroed.
 */
function copyPlaneWindow(
  src: Int32Array,
  dst: Int32Array,
  o: number,
  start: number,
  oh: number,
  ow: number,
  top: number,
  bottom: number,
  lo: number,
  hi: number,
): void {
  if (bottom <= top || hi <= lo) {
    dst.fill(0, o, o + oh * ow);
    return;
  }
  dst.fill(0, o, o + top * ow + lo);
  dst.set(src.subarray(start + lo, start + (bottom - 1 - top) * ow + hi), o + top * ow + lo);
  for (let y = top; y < bottom; y++) {
    const row = o + y * ow;
    for (let x = 0; x < lo; x++) dst[row + x] = 0;
    for (let x = hi; x < ow; x++) dst[row + x] = 0;
  }
  dst.fill(0, o + (bottom - 1) * ow + hi, o + oh * ow);
}

/** The im2col passes' parameters `q` by name (order in {@link im2colChannelMajorPass}). */
function im2colGeometry(q: ArrayLike<number>): Record<'kh' | 'kw' | 'sh' | 'sw' | 'dh' | 'dw' | 'padTop' | 'padLeft' | 'oh' | 'ow' | 'h' | 'w' | 'c' | 'first' | 'count' | 'total' | 'minRun', number> {
  const names = ['kh', 'kw', 'sh', 'sw', 'dh', 'dw', 'padTop', 'padLeft', 'oh', 'ow', 'h', 'w', 'c', 'first', 'count', 'total', 'minRun'] as const;
  return Object.fromEntries(names.map((name, i) => [name, q[i] as number])) as Record<(typeof names)[number], number>;
}

/**
 * Channel-major im2col, rows `(ky, kx, ci)` split between pieces:
 * `src: [c, total, h, w]` (x transposed), `dst: [kh*kw*c, count*oh*ow]` with
 * row `(ky, kx, ci)` and column `(b, oy, ox)` holding
 * `x[first + b, oy*sh + ky*dh - padTop, ox*sw + kx*dw - padLeft, ci]` (0 outside).
 * `q = [kh, kw, sh, sw, dh, dw, padTop, padLeft, oh, ow, h, w, c, first, count, total, minRun]`;
 * runs of at least `minRun` are copied with `TypedArray.set`.
 */
export function im2colChannelMajorPass(src: Int32Array, dst: Int32Array, q: ArrayLike<number>, part: number, parts: number): void {
  const { kh, kw, sh, sw, dh, dw, padTop, padLeft, oh, ow, h, w, c, first, count, total, minRun } = im2colGeometry(q);
  const rows = kh * kw * c;
  const rowBegin = Math.floor((rows * part) / parts);
  const rowEnd = Math.floor((rows * (part + 1)) / parts);
  // Stride 1 with output rows as wide as input rows: a tap's window of one
  // plane is one contiguous run of the source, copied at once.
  const planeCopy = sh === 1 && sw === 1 && ow === w;
  for (let r = rowBegin; r < rowEnd; r++) {
    const ci = r % c;
    const tap = (r - ci) / c;
    const kx = tap % kw;
    const ky = (tap - kx) / kw;
    // Output rows whose input row is inside [0, h), and columns whose input column is inside [0, w).
    const top = Math.min(oh, Math.max(0, Math.ceil((padTop - ky * dh) / sh)));
    const bottom = Math.max(top, Math.min(oh, Math.floor((h - 1 + padTop - ky * dh) / sh) + 1));
    const x0 = kx * dw - padLeft;
    const lo = Math.min(ow, Math.max(0, Math.ceil(-x0 / sw)));
    const hi = Math.max(lo, Math.min(ow, Math.floor((w - 1 - x0) / sw) + 1));
    let o = r * count * oh * ow;
    for (let b = first; b < first + count; b++) {
      const plane = (ci * total + b) * h;
      if (planeCopy) {
        copyPlaneWindow(src, dst, o, (plane + top + ky * dh - padTop) * w + x0, oh, ow, top, bottom, lo, hi);
        o += oh * ow;
        continue;
      }
      for (let oy = 0; oy < oh; oy++) {
        const iy = oy * sh + ky * dh - padTop;
        if (iy < 0 || iy >= h) {
          dst.fill(0, o, o + ow);
          o += ow;
          continue;
        }
        const row = (plane + iy) * w + x0;
        for (let ox = 0; ox < lo; ox++) dst[o++] = 0;
        if (sw === 1 && hi - lo >= minRun) {
          dst.set(src.subarray(row + lo, row + hi), o);
          o += hi - lo;
        } else {
          for (let ox = lo; ox < hi; ox++) dst[o++] = src[row + ox * sw] as number;
        }
        for (let ox = hi; ox < ow; ox++) dst[o++] = 0;
      }
    }
  }
}

/**
 * Batch-innermost im2col, rows `(ky, kx, ci)` split between pieces:
 * `src: [h, w, c, total]` (x transposed), `dst: [kh*kw*c, oh*ow*count]` with
 * row `(ky, kx, ci)` and column `(oy, ox, b)` holding
 * `x[first + b, oy*sh + ky*dh - padTop, ox*sw + kx*dw - padLeft, ci]` (0 outside).
 * `q` as in {@link im2colChannelMajorPass}.
 */
export function im2colBatchInnerPass(src: Int32Array, dst: Int32Array, q: ArrayLike<number>, part: number, parts: number): void {
  const { kh, kw, sh, sw, dh, dw, padTop, padLeft, oh, ow, h, w, c, first, count, total, minRun } = im2colGeometry(q);
  const rows = kh * kw * c;
  const rowBegin = Math.floor((rows * part) / parts);
  const rowEnd = Math.floor((rows * (part + 1)) / parts);
  const long = count >= minRun;
  for (let r = rowBegin; r < rowEnd; r++) {
    const ci = r % c;
    const tap = (r - ci) / c;
    const kx = tap % kw;
    const ky = (tap - kx) / kw;
    let o = r * oh * ow * count;
    for (let oy = 0; oy < oh; oy++) {
      const iy = oy * sh + ky * dh - padTop;
      if (iy < 0 || iy >= h) {
        dst.fill(0, o, o + ow * count);
        o += ow * count;
        continue;
      }
      for (let ox = 0; ox < ow; ox++) {
        const ix = ox * sw + kx * dw - padLeft;
        if (ix < 0 || ix >= w) {
          dst.fill(0, o, o + count);
          o += count;
          continue;
        }
        const s = ((iy * w + ix) * c + ci) * total + first;
        if (long) {
          dst.set(src.subarray(s, s + count), o);
          o += count;
        } else {
          for (let b = 0; b < count; b++) dst[o++] = src[s + b] as number;
        }
      }
    }
  }
}

/**
 * The dy rows of images `[first, first + count)` of `src: [total, oh*ow, cout]`
 * in an im2col's column order: `(b, oy, ox)` when `q[0] = 0` (channel-major),
 * `(oy, ox, b)` when `q[0] = 1` (batch-inner). `q = [batchInner, first, count, perImage, cout]`.
 */
export function dyRowsPass(src: Int32Array, dst: Int32Array, q: ArrayLike<number>, part: number, parts: number): void {
  const batchInner = q[0] as number, first = q[1] as number, count = q[2] as number;
  const perImage = q[3] as number, cout = q[4] as number;
  if (batchInner === 0) {
    const [begin, end] = pieceRange(count * perImage * cout, 16, part, parts);
    const at = first * perImage * cout;
    dst.set(src.subarray(at + begin, at + end), begin);
    return;
  }
  const s0 = Math.floor((perImage * part) / parts);
  const s1 = Math.floor((perImage * (part + 1)) / parts);
  let o = s0 * count * cout;
  for (let s = s0; s < s1; s++) {
    for (let b = first; b < first + count; b++) {
      const a = (b * perImage + s) * cout;
      dst.set(src.subarray(a, a + cout), o);
      o += cout;
    }
  }
}

/**
 * `dst[b, j, i, k] = src[b, i, j, k]` for `src: [n, r, c, d]`, the rows `i`
 * split between pieces in whole tiles. `q = [n, r, c, d, tile]`. With `d = 1`
 * each `[r, c]` plane is copied tile by tile (`tile x tile` elements), walked
 * along the target rows when `r >= c` (sequential writes: measured 1.4-2x
 * faster there, e.g. 150528x64: 16 vs 30 ms) and along the source rows
 * otherwise (1.4-1.6x faster when `r < c`).
 */
export function swapMiddleAxesPass(src: Int32Array, dst: Int32Array, q: ArrayLike<number>, part: number, parts: number): void {
  const n = q[0] as number, r = q[1] as number, c = q[2] as number, d = q[3] as number, tile = q[4] as number;
  const [rowBegin, rowEnd] = pieceRange(r, tile, part, parts);
  const plane = r * c * d;
  for (let b = 0; b < n; b++) {
    const base = b * plane;
    if (d !== 1) {
      for (let i = rowBegin; i < rowEnd; i++) {
        for (let j = 0; j < c; j++) {
          const s = base + (i * c + j) * d;
          const o = base + (j * r + i) * d;
          for (let k = 0; k < d; k++) dst[o + k] = src[s + k] as number;
        }
      }
      continue;
    }
    for (let i0 = rowBegin; i0 < rowEnd; i0 += tile) {
      const i1 = Math.min(rowEnd, i0 + tile);
      for (let j0 = 0; j0 < c; j0 += tile) {
        const j1 = Math.min(c, j0 + tile);
        if (r >= c) {
          for (let j = j0; j < j1; j++) {
            const o = base + j * r;
            for (let i = i0; i < i1; i++) dst[o + i] = src[base + i * c + j] as number;
          }
        } else {
          for (let i = i0; i < i1; i++) {
            const s = base + i * c;
            for (let j = j0; j < j1; j++) dst[base + j * r + i] = src[s + j] as number;
          }
        }
      }
    }
  }
}

/**
 * col2im: adds the `[count*oh*ow, kh*kw*cin]` float32 columns `src` of images
 * `[first, first + count)` into `dst = dx: [n, h, w, cin]` at
 * `dx[b, oy*sh + ky - padTop, ox*sw + kx - padLeft, ci]` (dropped outside the
 * input), the channels split between pieces (each dx element receives its
 * terms in the same order whatever the split).
 * `q = [h, w, cin, oh, ow, kh, kw, sh, sw, padTop, padLeft, first, count]`.
 */
export function col2imAddPass(src: Float32Array, dst: Float32Array, q: ArrayLike<number>, part: number, parts: number): void {
  const h = q[0] as number, w = q[1] as number, cin = q[2] as number, oh = q[3] as number, ow = q[4] as number;
  const kh = q[5] as number, kw = q[6] as number, sh = q[7] as number, sw = q[8] as number;
  const padTop = q[9] as number, padLeft = q[10] as number, first = q[11] as number, count = q[12] as number;
  const c0 = Math.floor((cin * part) / parts);
  const c1 = Math.floor((cin * (part + 1)) / parts);
  if (c1 <= c0) return;
  const k = kh * kw * cin;
  let row = 0;
  for (let b = first; b < first + count; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, row += k) {
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh + ky - padTop;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw + kx - padLeft;
            if (ix < 0 || ix >= w) continue;
            const d = ((b * h + iy) * w + ix) * cin;
            const s = row + (ky * kw + kx) * cin;
            for (let ci = c0; ci < c1; ci++) dst[d + ci] = (dst[d + ci] as number) + (src[s + ci] as number);
          }
        }
      }
    }
  }
}

/** `dst.set(src.subarray(q[0], q[0] + dst.length))`, the range split between pieces. `q = [from]`. */
export function copyRangePass(src: Int32Array, dst: Int32Array, q: ArrayLike<number>, part: number, parts: number): void {
  const [begin, end] = pieceRange(dst.length, 16, part, parts);
  const from = q[0] as number;
  dst.set(src.subarray(from + begin, from + end), begin);
}

/** Every element of `dst` set to the 32-bit pattern `q[0]`, the range split between pieces (`src` unused). `q = [bits]`. */
export function fillPass(_src: Int32Array, dst: Int32Array, q: ArrayLike<number>, part: number, parts: number): void {
  const [begin, end] = pieceRange(dst.length, 16, part, parts);
  dst.fill(q[0] as number, begin, end);
}
