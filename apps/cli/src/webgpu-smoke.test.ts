/**
 * Every app's smoke preset end to end on the webgpu backend (on a machine
 * without a GPU: Mesa's software Vulkan device), as on wasm in each app's own
 * tests: training, checkpoints, kNN, linear probe and report, with no
 * synchronous read anywhere (webgpu in Node has none).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { trainApp } from '@contrastive/app-kit';
import { describeBackends } from '@contrastive/test-utils';
import { APPS } from './index';

const out = mkdtempSync(join(tmpdir(), 'webgpu-smoke-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;

describeBackends(['webgpu'], () => {
  for (const [name, app] of Object.entries(APPS)) {
    it(`${name}: the smoke preset trains, evaluates and reports`, async () => {
      const result = await trainApp(app, { preset: 'smoke', backend: 'webgpu', outDir: out, stream: quiet });
      expect(result.backend).toBe('webgpu');
      expect(result.epochs).toBe(2);
      expect(result.knn.top1).toBeGreaterThan(0);
      expect(Number.isFinite(result.alignment) && Number.isFinite(result.uniformity)).toBe(true);
      const records = readFileSync(join(result.runDir, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const epochs = records.filter((r) => r['kind'] === 'epoch');
      expect(epochs).toHaveLength(2);
      for (const r of epochs) expect(Number.isFinite(r['loss'])).toBe(true);
      expect(records.some((r) => r['kind'] === 'train')).toBe(true);
    });
  }
});
