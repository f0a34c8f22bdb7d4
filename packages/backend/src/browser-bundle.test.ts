import { describe, expect, it } from 'vitest';
import { bundleForBrowser } from '@contrastive/test-utils/browser-bundle';

describe('@contrastive/backend/browser', () => {
  it('bundles for the browser with no Node builtins', async () => {
    const bundle = await bundleForBrowser('packages/backend/src/browser.ts');
    expect(bundle.nodeBuiltins).toEqual([]);
    expect(bundle.inputs.some((p) => p.includes('tfjs-backend-webgl'))).toBe(true);
    expect(bundle.inputs.some((p) => p.includes('register_all_gradients'))).toBe(true);
    expect(bundle.inputs.some((p) => /native-tensorflow|ensure-gradients|webgpu-device/.test(p))).toBe(false);
  });

  it('the Node entry does not (it loads native bindings through node:module)', async () => {
    await expect(bundleForBrowser('packages/backend/src/index.ts')).rejects.toThrow(/node:module/);
  });
});
