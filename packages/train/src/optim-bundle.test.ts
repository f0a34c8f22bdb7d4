import { describe, expect, it } from 'vitest';
import { bundleForBrowser } from '@contrastive/test-utils/browser-bundle';

describe('@contrastive/train/optim', () => {
  it('bundles for the browser with no Node builtins', async () => {
    const bundle = await bundleForBrowser('packages/train/src/optim.ts');
    expect(bundle.nodeBuiltins).toEqual([]);
    for (const file of ['sgd.ts', 'lars.ts', 'adamw.ts', 'lr-schedule.ts', 'pca.ts']) {
      expect(bundle.inputs.some((p) => p.endsWith(`train/src/${file}`))).toBe(true);
    }
  });

  it('the main entry does not (run folders and checkpoints use fs, crypto and child_process)', async () => {
    await expect(bundleForBrowser('packages/train/src/index.ts')).rejects.toThrow(/node:/);
  });
});
