/**
 * Kill-and-resume check shared by the stateful apps' resume tests (imported
 * by path; not part of the kit's API): an uninterrupted run, a run killed
 * after its first epoch's checkpoint, and that run resumed must log the same
 * metrics and end with the same checkpoint, tensor for tensor (online and
 * momentum weights, optimiser slots, the queue), bit for bit.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { loadLatestCheckpoint, type Checkpoint } from '@contrastive/train';
import type { AppDefinition } from '../method';
import { trainApp } from '../train-app';

const quiet = { write: () => true } as unknown as NodeJS.WritableStream;

/** Time limit of a resume test: three smoke runs take about half a minute on an idle machine. */
export const RESUME_TEST_TIMEOUT = 600_000;

/** The run's metrics without wall-clock fields. */
function metrics(dir: string): Record<string, unknown>[] {
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .map(({ time: _t, seconds: _s, ...rest }) => rest);
}

/** Every tensor of a checkpoint by key, as plain arrays. */
async function contents(c: Checkpoint): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [set, list] of Object.entries(c.weights)) for (const [i, w] of list.entries()) out[`weights/${set}/${i}`] = Array.from(await w.tensor.data());
  for (const [name, o] of Object.entries(c.optimizers)) for (const [slot, t] of Object.entries(o.slots)) out[`optimizer/${name}/${slot}`] = Array.from(await t.data());
  for (const [name, t] of Object.entries(c.tensors)) out[`tensors/${name}`] = Array.from(await t.data());
  return out;
}

/**
 * Runs `preset` of `app` three times on `backend` (uninterrupted; killed
 * after epoch 1; resumed) and compares. `expectState` names checkpoint
 * entries that must exist (e.g. `weights/momentum/0`, `tensors/queue`).
 */
export async function expectResumeMatches(
  app: AppDefinition,
  options: {
    preset: string;
    sets?: readonly string[];
    backend?: 'cpu' | 'wasm';
    expectState: readonly string[];
    /**
     * Kill at a checkpoint inside an epoch (`train.checkpointEverySteps` must be set) instead of after
     * epoch 1: `true` the first one, `{ step }` the one after that global step (1-based count of steps
     * done, e.g. 4 = epoch 1's first batch at 3 steps an epoch: after an epoch's `beforeEpoch` work).
     */
    midEpoch?: boolean | { step: number };
  },
): Promise<{ resumedOutput: string }> {
  const out = mkdtempSync(join(tmpdir(), `${app.name}-resume-`));
  const backend = options.backend ?? 'cpu';
  const sets = ['eval.linearProbe="none"', ...(options.sets ?? [])];
  const mid = options.midEpoch ?? false;
  try {
    const full = await trainApp(app, { preset: options.preset, sets, backend, outDir: join(out, 'full'), stream: quiet });
    let killed = '';
    await expect(
      trainApp(app, {
        preset: options.preset,
        sets,
        backend,
        outDir: join(out, 'killed'),
        stream: quiet,
        onEpochEnd: (epoch, run) => {
          killed = run.dir;
          if (epoch === 1 && mid === false) throw new Error('killed');
        },
        onStepCheckpoint: ({ step }, run) => {
          killed = run.dir;
          if (mid === true || (typeof mid === 'object' && mid.step === step)) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const lines: string[] = [];
    const say = { write: (l: string) => lines.push(l) } as unknown as NodeJS.WritableStream;
    const resumed = await trainApp(app, { resume: killed, stream: say });
    const resumedOutput = lines.join('');
    // The kill happened where asked: inside an epoch (at a batch) or at epoch 1's end.
    if (mid === false) expect(resumedOutput).toMatch(/resumed .* at epoch 1\n/);
    else expect(resumedOutput).toMatch(/resumed .* at epoch \d+, batch \d+\n/);
    expect(metrics(resumed.runDir)).toEqual(metrics(full.runDir));
    const [a, b] = [await loadLatestCheckpoint(full.runDir), await loadLatestCheckpoint(resumed.runDir)];
    const [x, y] = [await contents(a!.checkpoint), await contents(b!.checkpoint)];
    expect([a!.checkpoint.step, a!.checkpoint.user]).toEqual([b!.checkpoint.step, b!.checkpoint.user]);
    for (const key of options.expectState) expect(Object.keys(x)).toContain(key);
    expect(Object.keys(y).sort()).toEqual(Object.keys(x).sort());
    for (const key of Object.keys(x)) expect(y[key], key).toEqual(x[key]);
    a!.checkpoint.dispose();
    b!.checkpoint.dispose();
    return { resumedOutput };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
