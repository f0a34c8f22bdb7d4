/**
 * Bilinear resampling of every image of a batch on its own axis-aligned grid
 * (a crop resized, optionally mirrored): the arithmetic of the
 * `ContrastiveResampleGrids` kernel, which `@contrastive/backend` registers
 * for the wasm and cpu backends and `@contrastive/augment` calls when the
 * active backend has it (other backends run the same sampling as a
 * `cropAndResize`).
 *
 * Output row `y` of image `b` samples source row `rowOffset + y * rowStep`,
 * column `x` samples `colOffset + x' * colStep` with `x' = x`, or
 * `outW - 1 - x` when the image is mirrored; positions are clamped to
 * `[0, H - 1]` / `[0, W - 1]` (the edge pixel repeats, as torch's
 * `interpolate(align_corners=False)` and the padded `cropAndResize` do).
 */

/** Kernel name (custom; not a TensorFlow op). */
export const RESAMPLE_GRIDS_KERNEL = 'ContrastiveResampleGrids';

/** Values per image in {@link ResampleGridsAttrs.grids}. */
export const RESAMPLE_GRID_FIELDS = 5;

/**
 * Attributes of the kernel. `grids`: per image `[rowOffset, rowStep,
 * colOffset, colStep, flip (0 | 1)]`, flattened to `[N * 5]`.
 * `layout`: `'nhwc'` gives `[N, outH, outW, C]`; `'stacked'` gives
 * `[outH * outW, C, N]` (pixel-major, the images side by side: the layout
 * augment's colour ops and blur run in), which saves the transpose.
 */
export interface ResampleGridsAttrs {
  grids: number[];
  size: [number, number];
  layout: 'nhwc' | 'stacked';
}

/**
 * Taps along one output axis: the lower source index (of each pair `lo`,
 * `lo + 1`) and the weight of the upper one. A position clamped to the last
 * pixel is taken as `(limit - 2, weight 1)`, so the upper index is always
 * `lo + 1` (for `limit` = 1 both are 0: callers use a zero step then).
 */
interface AxisTaps {
  lo: Int32Array;
  weight: Float32Array;
}

/** Taps of output positions `0..count-1` stored at `at + i * stride`. */
function axisTaps(
  offset: number,
  step: number,
  count: number,
  limit: number,
  flip: boolean,
  into: AxisTaps,
  at: number,
  stride: number,
): void {
  for (let i = 0; i < count; i++) {
    const k = flip ? count - 1 - i : i;
    const p = Math.min(Math.max(offset + k * step, 0), limit - 1);
    const lo = Math.min(Math.floor(p), Math.max(limit - 2, 0));
    const j = at + i * stride;
    into.lo[j] = lo;
    into.weight[j] = p - lo;
  }
}

function tapsFor(n: number, count: number): AxisTaps {
  return { lo: new Int32Array(n * count), weight: new Float32Array(n * count) };
}

/**
 * Writes the resampled batch into `dst`. `src`: `[N, H, W, C]` row-major;
 * `dst`: `N * outH * outW * C` values in `layout`. Pure arithmetic; the
 * caller checks `attrs` (see `@contrastive/augment`'s `resampleGrids`).
 */
export function resampleGridsInto(
  src: Float32Array,
  dst: Float32Array,
  shape: readonly [number, number, number, number],
  attrs: ResampleGridsAttrs,
): void {
  const [n, h, w] = shape;
  const [outH, outW] = attrs.size;
  const { grids } = attrs;
  const rows = tapsFor(n, outH);
  const cols = tapsFor(n, outW);
  // Column taps image-major for 'nhwc' ([N, outW]), column-major for 'stacked' ([outW, N]).
  const stacked = attrs.layout === 'stacked';
  for (let b = 0; b < n; b++) {
    const g = b * RESAMPLE_GRID_FIELDS;
    axisTaps(grids[g]!, grids[g + 1]!, outH, h, false, rows, b * outH, 1);
    axisTaps(grids[g + 2]!, grids[g + 3]!, outW, w, grids[g + 4] === 1, cols, stacked ? b : b * outW, stacked ? n : 1);
  }
  const geometry: Geometry = { n, h, w, c: shape[3], outH, outW };
  const mirrored = Array.from({ length: n }, (_, b) => grids[b * RESAMPLE_GRID_FIELDS + 4] === 1);
  if (stacked) resampleStacked(src, dst, geometry, rows, cols, mirrored);
  else resampleNhwc(src, dst, geometry, rows, cols);
}

interface Geometry {
  n: number;
  h: number;
  w: number;
  c: number;
  outH: number;
  outW: number;
}

function resampleNhwc(src: Float32Array, dst: Float32Array, g: Geometry, rows: AxisTaps, cols: AxisTaps): void {
  const { n, h, w, c, outH, outW } = g;
  const rowStride = w * c;
  const down = h > 1 ? rowStride : 0;
  const right = w > 1 ? c : 0;
  let o = 0;
  for (let b = 0; b < n; b++) {
    const image = b * h * rowStride;
    for (let y = 0; y < outH; y++) {
      const r0 = image + rows.lo[b * outH + y]! * rowStride;
      const wy = rows.weight[b * outH + y]!;
      for (let x = 0; x < outW; x++) {
        const p = r0 + cols.lo[b * outW + x]! * c;
        const wx = cols.weight[b * outW + x]!;
        for (let ch = p; ch < p + c; ch++) {
          const a = src[ch]!;
          const top = a + (src[ch + right]! - a) * wx;
          const d = src[ch + down]!;
          dst[o++] = top + (d + (src[ch + down + right]! - d) * wx - top) * wy;
        }
      }
    }
  }
}

/** What one output row of the stacked layout needs. */
interface StackedRowJob {
  src: Float32Array;
  dst: Float32Array;
  /** Offset of the row in `dst`. */
  start: number;
  n: number;
  c: number;
  outW: number;
  /** Per image: offset of its upper source row, and the weight of the lower one. */
  row: Int32Array;
  wy: Float32Array;
  cols: AxisTaps;
  /** Offsets of the lower / right neighbour (0 for a 1-pixel axis). */
  down: number;
  right: number;
  /** The images this pass writes, and whether it walks the output from the right. */
  images: Int32Array;
  descending: boolean;
}

/**
 * Output pixel-major with the images innermost: for each output row, the two
 * source rows of every image (a few hundred kB at 224^2) stay in cache while
 * the row is written. Mirrored images are written in a second pass from the
 * right, so every image's source row is read left to right (reading some
 * images backwards interleaved with the others made the pass 1.5x slower).
 */
function resampleStacked(src: Float32Array, dst: Float32Array, g: Geometry, rows: AxisTaps, cols: AxisTaps, mirrored: readonly boolean[]): void {
  const { n, h, w, c, outH, outW } = g;
  const rowStride = w * c;
  const row = new Int32Array(n);
  const wy = new Float32Array(n);
  const passes = [false, true]
    .map((descending) => ({ descending, images: Int32Array.from(mirrored.flatMap((m, b) => (m === descending ? [b] : []))) }))
    .filter((pass) => pass.images.length > 0);
  const job: StackedRowJob = {
    src, dst, start: 0, n, c, outW, row, wy, cols,
    down: h > 1 ? rowStride : 0,
    right: w > 1 ? c : 0,
    images: new Int32Array(0),
    descending: false,
  };
  for (let y = 0; y < outH; y++) {
    for (let b = 0; b < n; b++) {
      row[b] = (b * h + rows.lo[b * outH + y]!) * rowStride;
      wy[b] = rows.weight[b * outH + y]!;
    }
    job.start = y * outW * c * n;
    for (const pass of passes) {
      job.images = pass.images;
      job.descending = pass.descending;
      if (c === 3) stackedRowRgb(job);
      else stackedRow(job);
    }
  }
}

/** One pass over an output row of {@link resampleStacked}, any channel count. */
function stackedRow(job: StackedRowJob): void {
  const { src, dst, start, n, c, outW, row, wy, down, right, images, descending } = job;
  const { lo, weight } = job.cols;
  for (let i = 0; i < outW; i++) {
    const x = descending ? outW - 1 - i : i;
    const o = start + x * c * n;
    for (let j = 0; j < images.length; j++) {
      const b = images[j]!;
      const k = x * n + b;
      const p = row[b]! + lo[k]! * c;
      const wx = weight[k]!;
      const fy = wy[b]!;
      for (let ch = 0; ch < c; ch++) {
        const a = src[p + ch]!;
        const top = a + (src[p + ch + right]! - a) * wx;
        const d = src[p + ch + down]!;
        dst[o + ch * n + b] = top + (d + (src[p + ch + down + right]! - d) * wx - top) * fy;
      }
    }
  }
}

/** {@link stackedRow} for RGB, unrolled (about 2.5x faster than the channel loop). */
function stackedRowRgb(job: StackedRowJob): void {
  const { src, dst, start, n, outW, row, wy, down, right, images, descending } = job;
  const { lo, weight } = job.cols;
  const n2 = 2 * n;
  for (let i = 0; i < outW; i++) {
    const x = descending ? outW - 1 - i : i;
    const o = start + x * 3 * n;
    for (let j = 0; j < images.length; j++) {
      const b = images[j]!;
      const k = x * n + b;
      const p = row[b]! + lo[k]! * 3;
      const q = p + down;
      const wx = weight[k]!;
      const fy = wy[b]!;
      let a = src[p]!;
      let d = src[q]!;
      let top = a + (src[p + right]! - a) * wx;
      dst[o + b] = top + (d + (src[q + right]! - d) * wx - top) * fy;
      a = src[p + 1]!;
      d = src[q + 1]!;
      top = a + (src[p + 1 + right]! - a) * wx;
      dst[o + n + b] = top + (d + (src[q + 1 + right]! - d) * wx - top) * fy;
      a = src[p + 2]!;
      d = src[q + 2]!;
      top = a + (src[p + 2 + right]! - a) * wx;
      dst[o + n2 + b] = top + (d + (src[q + 2 + right]! - d) * wx - top) * fy;
    }
  }
}
