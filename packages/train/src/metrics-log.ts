/**
 * `metrics.jsonl`: one JSON object per line, append-only. A process killed
 * mid-write can leave a truncated last line; readers drop it (and report it),
 * while a bad line in the middle means the file was damaged: `CORRUPT_DATA`.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { ContrastiveError } from '@contrastive/core';
import { writeFileAtomic } from './atomic-write';

/** One metrics record: numbers (NaN is stored as null), strings or nulls. */
export type MetricRecord = Record<string, number | string | boolean | null>;

/** Result of {@link readMetricsLog}. */
export interface MetricsLog {
  readonly records: MetricRecord[];
  /** True when the last line was incomplete and was ignored. */
  readonly droppedPartialLine: boolean;
}

/** Reads a metrics file; a missing file is an empty log. */
export function readMetricsLog(path: string): MetricsLog {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { records: [], droppedPartialLine: false };
  }
  const lines = text.split('\n');
  const complete = text.endsWith('\n') || text.length === 0;
  const last = lines.length - 1;
  const records: MetricRecord[] = [];
  let droppedPartialLine = false;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const value = JSON.parse(line) as unknown;
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
      if (i === last && !complete) {
        // A complete JSON object without its newline: the write was cut right before '\n'.
        droppedPartialLine = true;
        return;
      }
      records.push(value as MetricRecord);
    } catch {
      if (i === last && !complete) {
        droppedPartialLine = true;
        return;
      }
      throw new ContrastiveError('CORRUPT_DATA', `readMetricsLog: '${path}' line ${i + 1} must be a JSON object; got ${JSON.stringify(line.slice(0, 80))}`, {
        fn: 'readMetricsLog',
        argument: 'path',
      });
    }
  });
  return { records, droppedPartialLine };
}

/** Appends one record as a line. */
export function appendMetricRecord(path: string, record: MetricRecord): void {
  appendFileSync(path, `${JSON.stringify(record)}\n`);
}

/** Rewrites the file atomically with exactly `records`. */
export async function writeMetricsLog(path: string, records: readonly MetricRecord[]): Promise<void> {
  await writeFileAtomic(path, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
}
