/**
 * Checkpoints: one folder per save, `checkpoints/step-<step>/` holding
 * `tensors.bin` (every tensor, packed) and `manifest.json` (entries, SHA-256 of
 * the data, epoch, step, optimizer scalars, RNG states, a user JSON blob, and
 * for a save inside an epoch its position: next batch and running loss sum).
 * The folder is written under a temporary name, flushed, then renamed, so a
 * kill leaves either a complete checkpoint or an ignored temporary folder.
 */
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { argumentError, assertInteger, ContrastiveError, type RngState } from '@contrastive/core';
import { temporarySibling, writeFileSynced } from './atomic-write';
import { decodeTensor, encodeTensors, sha256, type TensorEntry } from './tensor-io';
import type { OptimizerKind, OptimizerState, TrainOptimizer } from './optimizer';
import { resolveVariables, type VariableLike } from './variables';

/** Format tag and version written in every manifest. */
export const CHECKPOINT_FORMAT = Object.freeze({ format: 'contrastive-checkpoint', version: 1 });

/** Number of checkpoints a run keeps by default. */
export const DEFAULT_KEEP_CHECKPOINTS = 3;

/** What to save. Tensors and variables are borrowed (read back, not disposed). */
export interface CheckpointInput {
  /** Epoch to resume at (e.g. the next epoch to run). */
  epoch: number;
  /** Global iteration count at save time. */
  step: number;
  /**
   * Named weight sets, e.g. `{ online: model.weights, momentum: keyModel.weights }`.
   * Save `model.weights` (not only trainable ones) so BN running statistics come along.
   */
  weights?: Record<string, readonly (VariableLike | tf.Tensor)[]>;
  /** Named optimizers (or their states). */
  optimizers?: Record<string, TrainOptimizer | OptimizerState>;
  /** Arbitrary named tensors, e.g. `{ queue }`. */
  tensors?: Record<string, tf.Tensor>;
  /** Named RNG states (`rng.getState()`). */
  rng?: Record<string, RngState>;
  /** Any JSON-serialisable data (best metric so far, schedule position...). */
  user?: unknown;
  /** Number of records in metrics.jsonl at save time; set by `Run.saveCheckpoint`. */
  metricsCount?: number;
  /**
   * A checkpoint inside epoch `epoch` (absent at an epoch boundary): where
   * the epoch stands, so a resumed run continues at the same batch.
   */
  inEpoch?: EpochPosition;
}

/**
 * How far a checkpoint's epoch has run: its next batch and the loop's running
 * totals (the epoch's mean loss is their ratio once the epoch ends).
 */
export interface EpochPosition {
  /** Batches of the epoch already trained (the 0-based index of the next one). */
  readonly batch: number;
  /** Sum of those steps' losses, float64, in step order (stored exactly: JSON keeps every double). */
  readonly lossSum: number;
  /** Steps counted in `lossSum`. */
  readonly steps: number;
}

/** A loaded checkpoint. Its tensors belong to the caller: call `dispose()` when restored. */
export interface Checkpoint {
  readonly dir: string;
  readonly epoch: number;
  readonly step: number;
  readonly createdAt: string;
  readonly metricsCount: number | undefined;
  /** Set for a checkpoint saved inside an epoch (see {@link CheckpointInput.inEpoch}). */
  readonly inEpoch: EpochPosition | undefined;
  readonly weights: Record<string, { name: string; tensor: tf.Tensor }[]>;
  readonly optimizers: Record<string, OptimizerState>;
  readonly tensors: Record<string, tf.Tensor>;
  readonly rng: Record<string, RngState>;
  readonly user: unknown;
  dispose(): void;
}

/** Where a stored tensor belongs. */
interface EntryMeta {
  group: 'weights' | 'optimizer' | 'tensors';
  /** Weight-set, optimizer or tensor name. */
  owner: string;
  slot?: string;
  index?: number;
}

interface Manifest {
  format: string;
  version: number;
  epoch: number;
  step: number;
  createdAt: string;
  metricsCount?: number;
  inEpoch?: EpochPosition;
  bytes: number;
  sha256: string;
  entries: (TensorEntry & EntryMeta)[];
  optimizers: Record<string, { kind: OptimizerKind; iterations: number; learningRate: number; steps: number[] }>;
  rng: Record<string, RngState>;
  user: unknown;
}

const STEP_DIGITS = 10;

/** Hidden name of a checkpoint being replaced by a new one of the same step (see saveCheckpoint). */
const REPLACED_PREFIX = '.replaced-';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Folder name of the checkpoint at `step`. */
export function checkpointName(step: number): string {
  return `step-${String(step).padStart(STEP_DIGITS, '0')}`;
}

function isOptimizer(x: TrainOptimizer | OptimizerState): x is TrainOptimizer {
  return typeof (x as TrainOptimizer).getState === 'function';
}

/** Writes a checkpoint into `checkpointsDir` atomically and returns its folder. */
export async function saveCheckpoint(checkpointsDir: string, input: CheckpointInput): Promise<string> {
  const fn = 'saveCheckpoint';
  assertInteger(fn, 'step', input.step, 0);
  assertInteger(fn, 'epoch', input.epoch, 0);
  if (input.inEpoch !== undefined) checkPosition(fn, input.inEpoch);
  const items: { key: string; tensor: tf.Tensor; name?: string }[] = [];
  const meta: EntryMeta[] = [];
  const owned: tf.Tensor[] = [];
  const optimizers: Manifest['optimizers'] = {};
  try {
    for (const [set, list] of Object.entries(input.weights ?? {})) {
      list.forEach((v, index) => {
        const t = v instanceof tf.Tensor ? v : resolveVariables(fn, [v])[0]!;
        items.push({ key: `weights/${set}/${index}`, tensor: t, name: t instanceof tf.Variable ? t.name : `${set}/${index}` });
        meta.push({ group: 'weights', owner: set, index });
      });
    }
    for (const [name, o] of Object.entries(input.optimizers ?? {})) {
      const state = isOptimizer(o) ? o.getState() : o;
      if (isOptimizer(o)) owned.push(...Object.values(state.slots));
      optimizers[name] = { kind: state.kind, iterations: state.iterations, learningRate: state.learningRate, steps: [...state.steps] };
      for (const [slot, t] of Object.entries(state.slots)) {
        items.push({ key: `optimizer/${name}/${slot}`, tensor: t });
        meta.push({ group: 'optimizer', owner: name, slot });
      }
    }
    for (const [name, t] of Object.entries(input.tensors ?? {})) {
      if (!(t instanceof tf.Tensor)) throw argumentError('INVALID_ARGUMENT', fn, `tensors.${name}`, 'a tensor', typeof t);
      items.push({ key: `tensors/${name}`, tensor: t });
      meta.push({ group: 'tensors', owner: name });
    }
    const { buffer, entries } = await encodeTensors(items);
    const manifest: Manifest = {
      ...CHECKPOINT_FORMAT,
      epoch: input.epoch,
      step: input.step,
      createdAt: new Date().toISOString(),
      ...(input.metricsCount === undefined ? {} : { metricsCount: input.metricsCount }),
      ...(input.inEpoch === undefined
        ? {}
        : { inEpoch: { batch: input.inEpoch.batch, lossSum: input.inEpoch.lossSum, steps: input.inEpoch.steps } }),
      bytes: buffer.byteLength,
      sha256: sha256(buffer),
      entries: entries.map((e, i) => ({ ...e, ...meta[i]! })),
      optimizers,
      rng: Object.fromEntries(Object.entries(input.rng ?? {}).map(([k, s]) => [k, [...s] as unknown as RngState])),
      user: input.user ?? null,
    };
    const json = JSON.stringify(manifest);
    await mkdir(checkpointsDir, { recursive: true });
    const finalDir = join(checkpointsDir, checkpointName(input.step));
    const tmpDir = temporarySibling(finalDir);
    await mkdir(tmpDir);
    await writeFileSynced(join(tmpDir, 'tensors.bin'), buffer);
    await writeFileSynced(join(tmpDir, 'manifest.json'), json);
    // A checkpoint of the same step (left by a killed earlier attempt) is replaced. Two renames
    // cannot swap folders atomically, so the old one waits under REPLACED_PREFIX, where
    // listCheckpoints still finds it if the process dies before the new one is in place.
    const replaced = join(checkpointsDir, `${REPLACED_PREFIX}${checkpointName(input.step)}`);
    if (await exists(finalDir)) {
      await rm(replaced, { recursive: true, force: true });
      await rename(finalDir, replaced);
    }
    await rename(tmpDir, finalDir);
    await rm(replaced, { recursive: true, force: true });
    return finalDir;
  } finally {
    tf.dispose(owned);
  }
}

/** Throws `INVALID_ARGUMENT` unless `p` is a position: integer batch and steps >= 0, finite loss sum. */
function checkPosition(fn: string, p: EpochPosition): void {
  assertInteger(fn, 'inEpoch.batch', p.batch, 0);
  assertInteger(fn, 'inEpoch.steps', p.steps, 0);
  if (typeof p.lossSum !== 'number' || !Number.isFinite(p.lossSum)) {
    throw argumentError('INVALID_ARGUMENT', fn, 'inEpoch.lossSum', 'a finite number', String(p.lossSum));
  }
}

function corrupt(dir: string, what: string): ContrastiveError {
  return new ContrastiveError('CORRUPT_DATA', `loadCheckpoint: '${dir}' is not a valid checkpoint: ${what}`, {
    fn: 'loadCheckpoint',
    argument: 'dir',
  });
}

/** Loads and validates one checkpoint folder; throws `NOT_FOUND` or `CORRUPT_DATA`. */
export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  let text: string;
  let buffer: Uint8Array;
  try {
    text = await readFile(join(dir, 'manifest.json'), 'utf8');
  } catch (e) {
    throw new ContrastiveError('NOT_FOUND', `loadCheckpoint: '${dir}/manifest.json' must exist; got none`, { fn: 'loadCheckpoint', argument: 'dir', cause: e });
  }
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch {
    throw corrupt(dir, 'manifest.json is not valid JSON (truncated?)');
  }
  if (m === null || typeof m !== 'object' || m.format !== CHECKPOINT_FORMAT.format || m.version !== CHECKPOINT_FORMAT.version) {
    throw corrupt(dir, `unknown format ${JSON.stringify(m?.format)} version ${JSON.stringify(m?.version)}`);
  }
  if (!Number.isInteger(m.step) || !Number.isInteger(m.epoch) || !Array.isArray(m.entries)) throw corrupt(dir, 'missing step, epoch or entries');
  if (m.inEpoch !== undefined) {
    try {
      checkPosition('loadCheckpoint', m.inEpoch);
    } catch {
      throw corrupt(dir, `inEpoch ${JSON.stringify(m.inEpoch)} is not a position (integer batch and steps, finite lossSum)`);
    }
  }
  try {
    buffer = new Uint8Array(await readFile(join(dir, 'tensors.bin')));
  } catch {
    throw corrupt(dir, 'tensors.bin is missing');
  }
  if (buffer.byteLength !== m.bytes) throw corrupt(dir, `tensors.bin has ${buffer.byteLength} bytes, the manifest says ${m.bytes}`);
  if (sha256(buffer) !== m.sha256) throw corrupt(dir, 'tensors.bin does not match its SHA-256');
  for (const [name, s] of Object.entries(m.rng ?? {})) {
    if (!Array.isArray(s) || s.length !== 4 || !s.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)) throw corrupt(dir, `rng '${name}' is not four 32-bit words`);
  }
  const created: tf.Tensor[] = [];
  try {
    const weights: Checkpoint['weights'] = {};
    const slots: Record<string, Record<string, tf.Tensor>> = {};
    const tensors: Record<string, tf.Tensor> = {};
    for (const e of m.entries) {
      const t = decodeTensor(buffer, e, e.key);
      created.push(t);
      if (e.group === 'weights') (weights[e.owner] ??= [])[e.index!] = { name: e.name ?? e.key, tensor: t };
      else if (e.group === 'optimizer') (slots[e.owner] ??= {})[e.slot!] = t;
      else if (e.group === 'tensors') tensors[e.owner] = t;
      else throw corrupt(dir, `entry '${e.key}' has unknown group`);
    }
    for (const [set, list] of Object.entries(weights)) {
      if (list.some((x) => x === undefined)) throw corrupt(dir, `weight set '${set}' has gaps`);
    }
    const optimizers: Record<string, OptimizerState> = {};
    for (const [name, o] of Object.entries(m.optimizers ?? {})) optimizers[name] = { ...o, slots: slots[name] ?? {} };
    return {
      dir,
      epoch: m.epoch,
      step: m.step,
      createdAt: m.createdAt,
      metricsCount: m.metricsCount,
      inEpoch: m.inEpoch,
      weights,
      optimizers,
      tensors,
      rng: m.rng ?? {},
      user: m.user,
      dispose: () => tf.dispose(created),
    };
  } catch (e) {
    tf.dispose(created);
    if (e instanceof ContrastiveError && e.code === 'CORRUPT_DATA') throw corrupt(dir, e.message);
    throw e;
  }
}

/** A run folder's `checkpoints/` when `dir` is a run folder, else `dir` itself. */
async function checkpointsFolder(dir: string): Promise<string> {
  const sub = join(dir, 'checkpoints');
  const info = await stat(sub).catch(() => null);
  return info?.isDirectory() ? sub : dir;
}

/**
 * Checkpoint folders, oldest first (temporary folders ignored; a checkpoint
 * being replaced by a save that died before its successor was in place counts
 * in its step's place). `dir` is a
 * checkpoints folder or a run folder (its `checkpoints/` is used).
 */
export async function listCheckpoints(dir: string): Promise<string[]> {
  const checkpointsDir = await checkpointsFolder(dir);
  let names: string[];
  try {
    names = await readdir(checkpointsDir);
  } catch {
    return [];
  }
  const steps = new Set(names.filter((n) => /^step-\d+$/.test(n)));
  // A replaced checkpoint whose successor never arrived (a save killed between its renames) counts.
  const orphans = names.filter((n) => n.startsWith(REPLACED_PREFIX) && /^step-\d+$/.test(n.slice(REPLACED_PREFIX.length)) && !steps.has(n.slice(REPLACED_PREFIX.length)));
  const byStep = (n: string) => (n.startsWith(REPLACED_PREFIX) ? n.slice(REPLACED_PREFIX.length) : n);
  return [...steps, ...orphans].sort((a, b) => (byStep(a) < byStep(b) ? -1 : 1)).map((n) => join(checkpointsDir, n));
}

/** Deletes all but the newest `keep` checkpoints, and stale temporary folders. */
export async function pruneCheckpoints(checkpointsDir: string, keep: number): Promise<void> {
  assertInteger('pruneCheckpoints', 'keep', keep, 1);
  const all = await listCheckpoints(checkpointsDir);
  for (const dir of all.slice(0, Math.max(0, all.length - keep))) await rm(dir, { recursive: true, force: true });
}

/** A checkpoint that was skipped while looking for the latest valid one. */
export interface SkippedCheckpoint {
  readonly dir: string;
  readonly reason: string;
}

/**
 * Loads the newest valid checkpoint of `checkpointsDir` (or of a run folder's
 * `checkpoints/`, as for `--resume <run>`). A corrupt or partial
 * newer checkpoint is skipped (reported in `skipped`) and the previous one is
 * used. Returns null when there is no checkpoint; throws `CORRUPT_DATA` when
 * every checkpoint is corrupt.
 */
export async function loadLatestCheckpoint(
  checkpointsDir: string,
): Promise<{ checkpoint: Checkpoint; skipped: SkippedCheckpoint[] } | null> {
  const all = await listCheckpoints(checkpointsDir);
  const skipped: SkippedCheckpoint[] = [];
  for (const dir of all.reverse()) {
    try {
      return { checkpoint: await loadCheckpoint(dir), skipped };
    } catch (e) {
      if (!(e instanceof ContrastiveError) || (e.code !== 'CORRUPT_DATA' && e.code !== 'NOT_FOUND')) throw e;
      skipped.push({ dir, reason: e.message });
    }
  }
  if (skipped.length === 0) return null;
  throw new ContrastiveError(
    'CORRUPT_DATA',
    `loadLatestCheckpoint: '${checkpointsDir}' must hold a valid checkpoint; got ${skipped.length} corrupt: ${skipped.map((s) => s.reason).join(' | ')}`,
    { fn: 'loadLatestCheckpoint', argument: 'checkpointsDir' },
  );
}

/**
 * Copies a saved weight set into `variables` (same order and shapes; names may
 * differ since tfjs renames layers between processes). The saved tensors stay
 * owned by the checkpoint.
 */
export function restoreWeights(
  variables: readonly VariableLike[],
  saved: readonly { name: string; tensor: tf.Tensor }[],
): void {
  const fn = 'restoreWeights';
  const vars = resolveVariables(fn, variables);
  if (!Array.isArray(saved) || saved.length !== vars.length) {
    throw argumentError('SHAPE_MISMATCH', fn, 'saved', `${vars.length} tensors (one per variable)`, String(saved?.length));
  }
  vars.forEach((v, i) => {
    const t = saved[i]!.tensor;
    if (t.shape.length !== v.shape.length || (t.shape as number[]).some((d, k) => d !== v.shape[k]) || t.dtype !== v.dtype) {
      throw argumentError(
        'SHAPE_MISMATCH',
        fn,
        `saved[${i}]`,
        `${v.dtype} [${v.shape.join(',')}] like variable '${v.name}'`,
        `${t.dtype} [${t.shape.join(',')}] (saved as '${saved[i]!.name}')`,
      );
    }
  });
  vars.forEach((v, i) => v.assign(saved[i]!.tensor));
}
