/**
 * Run folders: `runs/<app>-<preset>-<time>/` with `config.json` (resolved
 * config, seed, backend, versions, git commit, Node version), `metrics.jsonl`,
 * `checkpoints/` and later `report.html`. {@link openRun} reopens one for
 * `--resume`; {@link Run.resume} loads the latest valid checkpoint and cuts
 * the metrics back to what they were when it was written, so the continued
 * run logs exactly what an uninterrupted run would have.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { argumentError, assertInteger, ContrastiveError } from '@contrastive/core';
import { writeFileAtomic } from './atomic-write';
import {
  DEFAULT_KEEP_CHECKPOINTS,
  loadLatestCheckpoint,
  pruneCheckpoints,
  saveCheckpoint,
  type Checkpoint,
  type CheckpointInput,
  type SkippedCheckpoint,
} from './checkpoint';
import { baseVersions, gitCommit } from './environment';
import { appendMetricRecord, readMetricsLog, writeMetricsLog, type MetricRecord } from './metrics-log';

/** Options of {@link createRun}. */
export interface CreateRunOptions {
  /** Folder that holds runs, e.g. `runs`. */
  root: string;
  app: string;
  preset: string;
  /** The resolved configuration (JSON-serialisable). */
  config: unknown;
  seed: number;
  /** Backend actually in use, e.g. `tf.getBackend()`. */
  backend: string;
  /** Extra versions to record (other @contrastive packages, tfjs backends). */
  versions?: Record<string, string>;
  /** Checkpoints to keep. Default 3. */
  keepCheckpoints?: number;
  /** Clock for the folder name. Default `new Date()`. */
  now?: Date;
  /** Where to ask git for the commit. Default `process.cwd()`. */
  gitDir?: string;
}

/** Contents of `config.json`. */
export interface RunInfo {
  app: string;
  preset: string;
  seed: number;
  backend: string;
  createdAt: string;
  gitCommit: string | null;
  versions: Record<string, string>;
  config: unknown;
}

/** A loaded checkpoint plus the newer ones that were skipped as corrupt. */
export interface ResumePoint {
  checkpoint: Checkpoint;
  skipped: SkippedCheckpoint[];
}

/** An open run folder. */
export interface Run {
  readonly dir: string;
  readonly id: string;
  readonly info: RunInfo;
  readonly metricsPath: string;
  readonly checkpointsDir: string;
  readonly reportPath: string;
  /** Records in metrics.jsonl. */
  readonly metricsCount: number;
  /** Appends one record to metrics.jsonl (NaN/Infinity are stored as null by JSON). */
  log(record: MetricRecord): void;
  /** Every record so far. */
  readMetrics(): MetricRecord[];
  /** Saves a checkpoint (with the current metrics count) and prunes old ones. */
  saveCheckpoint(input: Omit<CheckpointInput, 'metricsCount'>): Promise<string>;
  /**
   * Loads the newest valid checkpoint and truncates metrics.jsonl to the records
   * that existed when it was saved; with no checkpoint, empties the metrics.
   * Returns null when the run must start from the beginning.
   */
  resume(): Promise<ResumePoint | null>;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `20260122-061503` in UTC. */
export function runTimestamp(d: Date): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

function checkName(fn: string, argument: string, value: unknown): void {
  if (typeof value !== 'string' || !/^[A-Za-z0-9._-]+$/.test(value)) {
    throw argumentError('INVALID_ARGUMENT', fn, argument, 'a name of letters, digits, ".", "_" or "-"', JSON.stringify(value));
  }
}

/** Creates a new run folder and writes its config.json. */
export async function createRun(options: CreateRunOptions): Promise<Run> {
  const fn = 'createRun';
  checkName(fn, 'app', options.app);
  checkName(fn, 'preset', options.preset);
  assertInteger(fn, 'seed', options.seed);
  const keep = options.keepCheckpoints ?? DEFAULT_KEEP_CHECKPOINTS;
  assertInteger(fn, 'keepCheckpoints', keep, 1);
  const now = options.now ?? new Date();
  const base = `${options.app}-${options.preset}-${runTimestamp(now)}`;
  const root = resolve(options.root);
  await mkdir(root, { recursive: true });
  let id = base;
  for (let k = 2; existsSync(join(root, id)); k++) id = `${base}-${k}`;
  const dir = join(root, id);
  await mkdir(join(dir, 'checkpoints'), { recursive: true });
  const info: RunInfo = {
    app: options.app,
    preset: options.preset,
    seed: options.seed,
    backend: options.backend,
    createdAt: now.toISOString(),
    gitCommit: gitCommit(options.gitDir ?? process.cwd()),
    versions: { ...baseVersions(), ...options.versions },
    config: JSON.parse(JSON.stringify(options.config ?? null)) as unknown,
  };
  await writeFileAtomic(join(dir, 'config.json'), `${JSON.stringify(info, null, 2)}\n`);
  await writeFileAtomic(join(dir, 'metrics.jsonl'), '');
  return makeRun(dir, id, info, 0, keep);
}

/**
 * Reopens an existing run folder (for `--resume`). A truncated last metrics
 * line is dropped. Throws `NOT_FOUND` for a folder without config.json and
 * `CORRUPT_DATA` for an unreadable one.
 */
export async function openRun(dir: string, options: { keepCheckpoints?: number } = {}): Promise<Run> {
  const fn = 'openRun';
  const abs = resolve(dir);
  let text: string;
  try {
    text = await readFile(join(abs, 'config.json'), 'utf8');
  } catch (e) {
    throw new ContrastiveError('NOT_FOUND', `${fn}: 'dir' must be a run folder with config.json; got '${dir}'`, { fn, argument: 'dir', cause: e });
  }
  let info: RunInfo;
  try {
    info = JSON.parse(text) as RunInfo;
  } catch (e) {
    throw new ContrastiveError('CORRUPT_DATA', `${fn}: '${dir}/config.json' must be valid JSON`, { fn, argument: 'dir', cause: e });
  }
  const metricsPath = join(abs, 'metrics.jsonl');
  const log = readMetricsLog(metricsPath);
  if (log.droppedPartialLine) await writeMetricsLog(metricsPath, log.records);
  const keep = options.keepCheckpoints ?? DEFAULT_KEEP_CHECKPOINTS;
  assertInteger(fn, 'keepCheckpoints', keep, 1);
  return makeRun(abs, abs.split(/[\\/]/).pop()!, info, log.records.length, keep);
}

function makeRun(dir: string, id: string, info: RunInfo, initialCount: number, keep: number): Run {
  const metricsPath = join(dir, 'metrics.jsonl');
  const checkpointsDir = join(dir, 'checkpoints');
  let count = initialCount;
  return {
    dir,
    id,
    info,
    metricsPath,
    checkpointsDir,
    reportPath: join(dir, 'report.html'),
    get metricsCount() {
      return count;
    },
    log(record) {
      if (record === null || typeof record !== 'object' || Array.isArray(record)) {
        throw argumentError('INVALID_ARGUMENT', 'Run.log', 'record', 'a plain object', String(record));
      }
      appendMetricRecord(metricsPath, record);
      count += 1;
    },
    readMetrics: () => readMetricsLog(metricsPath).records,
    async saveCheckpoint(input) {
      const path = await saveCheckpoint(checkpointsDir, { ...input, metricsCount: count });
      await pruneCheckpoints(checkpointsDir, keep);
      return path;
    },
    async resume() {
      const found = await loadLatestCheckpoint(checkpointsDir);
      const records = readMetricsLog(metricsPath).records;
      const keepRecords = found === null ? 0 : Math.min(found.checkpoint.metricsCount ?? records.length, records.length);
      if (keepRecords !== records.length) await writeMetricsLog(metricsPath, records.slice(0, keepRecords));
      count = keepRecords;
      return found;
    },
  };
}
