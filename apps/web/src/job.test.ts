import { describe, expect, it } from 'vitest';
import { SIMCLR_PRESETS } from '@contrastive/app-simclr';
import { REDUCED_FROM_DEFAULT, WEB_JOB } from './job';

/** `{ a: { b: 1 } }` -> `{ 'a.b': 1 }` (arrays kept whole). */
function flatten(value: object, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flatten(v as object, `${prefix}${key}.`));
    else out[`${prefix}${key}`] = v;
  }
  return out;
}

describe('the page job', () => {
  const preset = flatten(SIMCLR_PRESETS['cpu-fashion-mnist']);
  const web = flatten(WEB_JOB);

  it('is the default SimCLR job (cpu-fashion-mnist) in every setting it has, except the sizes it names', () => {
    for (const [path, value] of Object.entries(web)) {
      if (path in REDUCED_FROM_DEFAULT) continue;
      expect({ path, value }).toEqual({ path, value: preset[path] });
    }
  });

  it('names the default values of what it reduces, and reduces them', () => {
    for (const [path, from] of Object.entries(REDUCED_FROM_DEFAULT)) {
      expect({ path, from }).toEqual({ path, from: preset[path] });
      expect(web[path] as number).toBeLessThan(from);
    }
  });
});
