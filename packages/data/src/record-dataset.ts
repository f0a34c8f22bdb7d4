/**
 * A dataset over fixed-size binary records spread across one or more files
 * (CIFAR-10/100, STL-10), read on demand with positional reads.
 */
import { checkIndices, checkLabel } from './errors';
import { readRecords, type RecordFile } from './record-file';
import type { Dataset, ImageBatch, ImageShape } from './types';

/** Where a file's labels come from. */
export type LabelSource =
  | { readonly kind: 'inline'; readonly offset: number }
  | { readonly kind: 'array'; readonly labels: Int32Array }
  | { readonly kind: 'none' };

/** One file of a {@link createRecordDataset}. */
export interface RecordPart {
  readonly file: RecordFile;
  readonly labels: LabelSource;
}

/** Converts one image's on-disk bytes `src` to HWC bytes in `dst` (same length). */
export type PixelConverter = (src: Uint8Array, dst: Uint8Array, shape: ImageShape) => void;

/** Description of a record dataset. */
export interface RecordDatasetSpec {
  /** Public function name used in error messages, e.g. `loadCifar10`. */
  readonly fn: string;
  readonly name: string;
  readonly parts: readonly RecordPart[];
  readonly imageShape: ImageShape;
  readonly classNames: readonly string[];
  /** Offset of the pixels inside a record. */
  readonly pixelOffset: number;
  readonly convert: PixelConverter;
}

const LABEL_SCAN_RECORDS = 4096;

/** Builds a {@link Dataset} over record files. */
export function createRecordDataset(spec: RecordDatasetSpec): Dataset {
  const { fn, parts, imageShape, classNames, pixelOffset, convert } = spec;
  const [h, w, c] = imageShape;
  const pixels = h * w * c;
  const numClasses = classNames.length;
  const starts: number[] = [];
  let length = 0;
  for (const part of parts) {
    starts.push(length);
    length += part.file.count;
  }

  const locate = (index: number): number => {
    let lo = 0;
    let hi = parts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };

  const labelOf = (part: RecordPart, record: number, bytes: Uint8Array, offset: number): number => {
    const source = part.labels;
    if (source.kind === 'none') return -1;
    const label = source.kind === 'inline' ? bytes[offset + source.offset]! : source.labels[record]!;
    checkLabel(fn, part.file.path, record, label, numClasses);
    return label;
  };

  return {
    name: spec.name,
    length,
    numClasses,
    classNames,
    imageShape: [h, w, c],
    async get(indices: ArrayLike<number>): Promise<ImageBatch> {
      checkIndices(`${spec.name}.get`, indices, length);
      const n = indices.length;
      const images = new Uint8Array(n * pixels);
      const labels = new Int32Array(n);
      // Group request positions by file.
      const byPart = new Map<number, number[]>();
      for (let i = 0; i < n; i++) {
        const p = locate(indices[i]!);
        let list = byPart.get(p);
        if (list === undefined) byPart.set(p, (list = []));
        list.push(i);
      }
      await Promise.all(
        [...byPart].map(async ([p, positions]) => {
          const part = parts[p]!;
          const records = positions.map((i) => indices[i]! - starts[p]!);
          const bytes = await readRecords(fn, part.file, records);
          const rb = part.file.recordBytes;
          positions.forEach((i, k) => {
            labels[i] = labelOf(part, records[k]!, bytes, k * rb);
            const from = k * rb + pixelOffset;
            convert(bytes.subarray(from, from + pixels), images.subarray(i * pixels, (i + 1) * pixels), imageShape);
          });
        }),
      );
      return { images, labels, indices: Int32Array.from(indices), shape: [n, h, w, c] };
    },
    async labels(): Promise<Int32Array> {
      const out = new Int32Array(length);
      for (let p = 0; p < parts.length; p++) {
        const part = parts[p]!;
        const source = part.labels;
        const base = starts[p]!;
        if (source.kind === 'none') {
          out.fill(-1, base, base + part.file.count);
          continue;
        }
        if (source.kind === 'array') {
          for (let r = 0; r < part.file.count; r++) {
            checkLabel(fn, part.file.path, r, source.labels[r]!, numClasses);
            out[base + r] = source.labels[r]!;
          }
          continue;
        }
        for (let first = 0; first < part.file.count; first += LABEL_SCAN_RECORDS) {
          const count = Math.min(LABEL_SCAN_RECORDS, part.file.count - first);
          const records = Array.from({ length: count }, (_, k) => first + k);
          const bytes = await readRecords(fn, part.file, records);
          for (let k = 0; k < count; k++) {
            out[base + first + k] = labelOf(part, first + k, bytes, k * part.file.recordBytes);
          }
        }
      }
      return out;
    },
  };
}
