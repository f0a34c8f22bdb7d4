/**
 * Crash safety of checkpoints and atomic writes under injected faults: every
 * file-system call of a save is a possible point of death. The process is
 * "killed" at the n-th call (that call fails, a write after writing half its
 * bytes, and every later call fails too, so no cleanup runs), for every n
 * until the save completes; each time the checkpoints on disk must load and
 * hold either the old or the new content, never nothing, never a torn file.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useBackend } from '@contrastive/test-utils';
import { writeFileAtomic } from './atomic-write';
import { checkpointName, listCheckpoints, loadLatestCheckpoint, pruneCheckpoints, saveCheckpoint } from './checkpoint';

/**
 * The fault switch: the `countdown`-th intercepted call fails; with `kill` the
 * process is dead from then on (every later call fails too, so no cleanup runs).
 */
const fault = vi.hoisted(() => ({ countdown: Infinity, kill: true, dead: false, hit: false, calls: 0 }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const killed = () => new Error('injected: process killed');
  /** True when this call is the one that dies. */
  const reach = (): boolean => {
    if (fault.dead) throw killed();
    fault.calls++;
    if (--fault.countdown !== 0) return false;
    fault.hit = true;
    fault.dead = fault.kill;
    return true;
  };
  const wrap =
    <A extends unknown[], R>(f: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (reach()) throw killed();
      return f(...args);
    };
  const open = async (...args: Parameters<typeof real.open>) => {
    if (reach()) throw killed();
    const handle = await real.open(...args);
    return {
      async writeFile(data: string | Uint8Array) {
        if (reach()) {
          // Fails halfway through the write: half the bytes reach the file.
          const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
          await handle.writeFile(bytes.subarray(0, Math.floor(bytes.length / 2)));
          throw killed();
        }
        return handle.writeFile(data);
      },
      sync: () => (reach() ? Promise.reject(killed()) : handle.sync()),
      // The descriptor is released even by a dead process.
      close: () => handle.close(),
    };
  };
  const mocked = { ...real, open, rename: wrap(real.rename), rm: wrap(real.rm), mkdir: wrap(real.mkdir) };
  return { ...mocked, default: mocked };
});

/** Runs `f` with death at the `n`-th intercepted call; returns whether `f` completed. */
async function killedAt(n: number, f: () => Promise<unknown>): Promise<boolean> {
  Object.assign(fault, { countdown: n, kill: true, dead: false, hit: false, calls: 0 });
  try {
    await f();
    return true;
  } catch (e) {
    if (!fault.hit) throw e;
    return false;
  } finally {
    Object.assign(fault, { countdown: Infinity, dead: false });
  }
}

let root: string;
beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'contrastive-faults-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function save(dir: string, step: number, value: number): Promise<void> {
  const t = tf.fill([64], value);
  try {
    await saveCheckpoint(dir, { epoch: step, step, tensors: { t }, user: { value } });
  } finally {
    t.dispose();
  }
}

/** The newest loadable checkpoint's step and value (every element equal, as saved). */
async function latest(dir: string): Promise<{ step: number; value: number } | null> {
  const found = await loadLatestCheckpoint(dir);
  if (found === null) return null;
  const { checkpoint } = found;
  const values = Array.from(await checkpoint.tensors['t']!.data());
  checkpoint.dispose();
  expect(new Set(values).size).toBe(1);
  expect(checkpoint.user).toEqual({ value: values[0] });
  return { step: checkpoint.step, value: values[0]! };
}

describe('checkpoints under a kill at every file-system call of a save', () => {
  it('a new step: the previous checkpoint stays intact and loadable until the new one is complete', async () => {
    let completed = false;
    for (let n = 1; !completed; n++) {
      const dir = join(root, `new-${n}`);
      await save(dir, 10, 1);
      completed = await killedAt(n, () => save(dir, 20, 2));
      const found = await latest(dir);
      // Before the new folder is in place the old one loads; after, the new one, complete.
      expect([JSON.stringify({ step: 10, value: 1 }), JSON.stringify({ step: 20, value: 2 })], `killed at call ${n}`).toContain(JSON.stringify(found));
      if (completed) expect(found).toEqual({ step: 20, value: 2 });
      if (n === 1) expect(found).toEqual({ step: 10, value: 1 });
      expect(n).toBeLessThan(50);
    }
  });

  it('the same step again: at every point the step loads with the old or the new content (atomic replacement)', async () => {
    let completed = false;
    const seen = new Set<number>();
    for (let n = 1; !completed; n++) {
      const dir = join(root, `same-${n}`);
      await save(dir, 5, 0);
      await save(dir, 10, 1);
      completed = await killedAt(n, () => save(dir, 10, 2));
      const found = await latest(dir);
      expect(found?.step, `killed at call ${n}`).toBe(10);
      expect([1, 2]).toContain(found!.value);
      seen.add(found!.value);
      if (completed) expect(found!.value).toBe(2);
      // Listing names the step once, and keeping one checkpoint keeps this step.
      expect((await listCheckpoints(dir)).filter((p) => p.endsWith(checkpointName(10)))).toHaveLength(1);
      await pruneCheckpoints(dir, 1);
      expect((await latest(dir))?.step).toBe(10);
      // A later save of the step (the resumed run) still works and wins.
      await save(dir, 10, 3);
      expect(await latest(dir)).toEqual({ step: 10, value: 3 });
      expect(n).toBeLessThan(50);
    }
    expect([...seen].sort()).toEqual([1, 2]);
  });
});

describe('writeFileAtomic under a kill at every file-system call', () => {
  it('leaves the old content or the new one, never a torn file', async () => {
    const dir = join(root, 'atomic');
    const path = join(dir, 'metrics.jsonl');
    const old = 'old line\n'.repeat(100);
    const next = 'new line\n'.repeat(300);
    let completed = false;
    for (let n = 1; !completed; n++) {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir);
      await writeFileAtomic(path, old);
      completed = await killedAt(n, () => writeFileAtomic(path, next));
      expect(await readFile(path, 'utf8'), `killed at call ${n}`).toBe(completed ? next : old);
      expect(n).toBeLessThan(20);
    }
  });

  it('removes its temporary file when a write fails (no hidden leftovers)', async () => {
    const dir = join(root, 'atomic-error');
    await mkdir(dir);
    const path = join(dir, 'config.json');
    await writeFileAtomic(path, '{"a":1}');
    // The write call (after open) fails with an error, not a death: cleanup may run.
    let failed = false;
    Object.assign(fault, { countdown: 2, kill: false, dead: false, hit: false, calls: 0 });
    try {
      await writeFileAtomic(path, '{"a":2}');
    } catch {
      failed = true;
    } finally {
      Object.assign(fault, { countdown: Infinity, kill: true, dead: false });
    }
    expect(failed).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('{"a":1}');
    expect(await readdir(dir)).toEqual(['config.json']);
  });
});
