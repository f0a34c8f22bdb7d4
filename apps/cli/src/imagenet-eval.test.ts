import { describe, expect, it } from 'vitest';
import { resolveConfig } from '@contrastive/train';
import { APPS } from './index';

describe('ImageNet presets', () => {
  // Every app's paper-*imagenet* preset evaluates within device memory: a kNN bank of 100 images
  // a class, and the final probe trained as MoCo's main_lincls (augmented crops every epoch).
  const presets = Object.entries(APPS).flatMap(([name, app]) =>
    Object.keys(app.presets)
      .filter((preset) => preset.startsWith('paper-') && preset.includes('imagenet'))
      .map((preset) => [name, preset] as const),
  );

  it('exist in every app that names ImageNet', () => {
    expect(presets.length).toBeGreaterThanOrEqual(10);
  });

  for (const [name, preset] of presets) {
    it(`${name} ${preset}: kNN bank 100 a class, main_lincls probe`, () => {
      const app = APPS[name]!;
      const config = resolveConfig(app.schema, app.presets[preset]) as { eval: { knnBankPerClass?: number; linearProbeAugmented: boolean } };
      expect(config.eval.knnBankPerClass).toBe(100);
      expect(config.eval.linearProbeAugmented).toBe(true);
    });
  }
});
