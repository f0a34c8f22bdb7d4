import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSyntheticIdx } from '../../kit/src/testing/synthetic-idx';
import { APPS, runCli } from './index';

const out = mkdtempSync(join(tmpdir(), 'cli-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await runCli(argv, (l) => lines.push(l));
  return { code, text: lines.join('\n') };
}

/** The trained and random-init kNN top-1 (%) of a train command's summary line. */
function knnNumbers(text: string): { trained: number; randomInit: number } {
  const match = /kNN top-1 \(weighted, test set\): (\d+\.\d\d)% trained vs (\d+\.\d\d)% for the same encoder at random init/.exec(text);
  expect(match, 'the kNN summary line').not.toBeNull();
  return { trained: Number(match![1]), randomInit: Number(match![2]) };
}

describe('contrastive CLI', () => {
  it('lists every app with its presets', async () => {
    const { code, text } = await run('list');
    expect(code).toBe(0);
    for (const [name, app] of Object.entries(APPS)) {
      expect(text).toContain(`${name}: `);
      for (const preset of Object.keys(app.presets)) expect(text).toContain(`--preset ${preset}`);
    }
  });

  it('rejects unknown commands, apps and presets with the nearest name', async () => {
    expect((await run('trian')).text).toContain('did you mean "train"');
    const app = await run('train', 'simclrr', '--preset', 'smoke');
    expect(app.code).toBe(1);
    expect(app.text).toContain('error [UNKNOWN_NAME]');
    expect(app.text).toContain('did you mean "simclr"');
    const preset = await run('train', 'simclr', '--preset', 'smok');
    expect(preset.text).toContain('did you mean "smoke"');
    expect((await run('train', 'simclr')).text).toContain("'--preset' must be one of");
  });

  it('rejects a --threads that is not an integer >= 1, naming it', async () => {
    for (const threads of ['0', 'many', '1.5']) {
      const bad = await run('train', 'simclr', '--preset', 'smoke', '--threads', threads, '--out', out);
      expect(bad.code).toBe(1);
      expect(bad.text).toContain('error [OUT_OF_RANGE]');
      expect(bad.text).toContain("'--threads' must be an integer >= 1");
    }
  });

  it('reports every bad --set at once and a missing dataset folder', async () => {
    const bad = await run('train', 'simclr', '--preset', 'smoke', '--out', out, '--set', 'train.epochs=-1', '--set', 'method.temperature=0', '--set', 'nonsense');
    expect(bad.code).toBe(1);
    expect(bad.text).toContain('error [CONFIG_INVALID]');
    expect(bad.text).toContain('train.epochs');
    expect(bad.text).toContain('method.temperature');
    expect(bad.text).toContain('nonsense');
    const missing = await run('train', 'simclr', '--preset', 'paper-cifar10', '--data', join(out, 'no-such-dir'), '--out', out);
    expect(missing.text).toContain('error [NOT_FOUND]');
  });

  it('trains the smoke preset and evaluates the run', async () => {
    const trained = await run('train', 'simclr', '--preset', 'smoke', '--backend', 'wasm', '--out', out);
    expect(trained.code).toBe(0);
    expect(trained.text).toMatch(/kNN top-1 .*% trained vs .*% for the same encoder at random init vs .*% on raw pixels/);
    // 6 steps are too few to learn reliably: the relation is asserted on the run below, which is meant to learn.
    const knn = knnNumbers(trained.text);
    for (const value of [knn.trained, knn.randomInit]) expect(value).toBeGreaterThanOrEqual(0);
    expect(trained.text).toMatch(/trained (beats|does not beat) raw pixels \([+-]\d+\.\d\d points; raw-pixel bank 200, queries 100\)/);
    const runDir = /run folder: (.*)/.exec(trained.text)![1]!;
    const evaluated = await run('eval', runDir, '--no-probe');
    expect(evaluated.code).toBe(0);
    expect(evaluated.text).toContain('checkpoint of epoch 2');
    expect(evaluated.text).toMatch(/kNN on raw pixels top-1 \d+\.\d\d%, top-5 \d+\.\d\d% \(bank 200, queries 100\)/);
  });

  it('prints a trained kNN clearly above the same encoder at random init when the run learns', async () => {
    // The synthetic problem and 200 SimCLR steps of simclr/src/learning.test.ts (seed 1: 84% vs 65% for the
    // BN-calibrated random init; lr 1e-9 gains -6 to +5 points over it at seeds 1-3, SimCLR 10-19: see there).
    const data = join(out, 'synthetic');
    writeSyntheticIdx(data, { train: 3200, test: 200, seed: 7 });
    const sets = [
      'seed=1',
      'data.dataset="idx"',
      'data.trainLimit=3200',
      'data.evalTrainLimit=400',
      'data.evalTestLimit=200',
      'train.epochs=2',
      'train.batchSize=16',
      'train.maxStepsPerEpoch=100',
      'train.logEvery=50',
      'eval.knnEvery=0',
      'eval.linearProbe="none"',
    ].flatMap((set) => ['--set', set]);
    const trained = await run('train', 'simclr', '--preset', 'smoke', '--backend', 'wasm', '--data', data, '--out', out, ...sets);
    expect(trained.code).toBe(0);
    const knn = knnNumbers(trained.text);
    expect(knn.trained).toBeGreaterThanOrEqual(knn.randomInit + 10);
  }, 60_000);
});
