import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isContrastiveError } from '@contrastive/core';
import { applyOverrides, ConfigError, defineConfig, parseOverride, parseOverrideValue, resolveConfig } from './index';

const schema = z.strictObject({
  seed: z.number().int(),
  optimizer: z.strictObject({
    name: z.enum(['sgd', 'lars', 'adamw']),
    lr: z.number().positive(),
    nesterov: z.boolean(),
    milestones: z.array(z.number().int().nonnegative()),
  }),
  loss: z.strictObject({ temperature: z.number().positive(), queue: z.number().int().optional() }),
  note: z.string().optional(),
});

const preset = defineConfig({
  seed: 1,
  optimizer: { name: 'sgd', lr: 0.03, nesterov: false, milestones: [120, 160] },
  loss: { temperature: 0.2 },
});

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('--set parsing', () => {
  it('parses numbers, booleans, null, JSON arrays/objects/strings, and plain strings', () => {
    expect(parseOverrideValue('1e-3')).toBe(0.001);
    expect(parseOverrideValue('-2')).toBe(-2);
    expect(parseOverrideValue('.5')).toBe(0.5);
    expect(parseOverrideValue('true')).toBe(true);
    expect(parseOverrideValue('false')).toBe(false);
    expect(parseOverrideValue('null')).toBeNull();
    expect(parseOverrideValue('[120, 160]')).toEqual([120, 160]);
    expect(parseOverrideValue('{"a":[1]}')).toEqual({ a: [1] });
    expect(parseOverrideValue('"0.1"')).toBe('0.1');
    expect(parseOverrideValue('lars')).toBe('lars');
    expect(parseOverride('a.b=x=y')).toEqual({ path: ['a', 'b'], value: 'x=y', raw: 'a.b=x=y' });
  });

  it('rejects malformed --set with CONFIG_INVALID', () => {
    expect(configError(() => parseOverride('novalue')).code).toBe('CONFIG_INVALID');
    expect(configError(() => parseOverride('a..b=1')).issues[0]!.path).toBe('a..b');
    expect(configError(() => parseOverride('a=[1,')).issues[0]!.message).toMatch(/valid JSON/);
  });

  it('applyOverrides does not mutate the preset', () => {
    const { config, issues } = applyOverrides(preset, [parseOverride('optimizer.lr=0.1')]);
    expect(issues).toEqual([]);
    expect((config as typeof preset).optimizer.lr).toBe(0.1);
    expect(preset.optimizer.lr).toBe(0.03);
  });
});

describe('resolveConfig', () => {
  it('applies overrides onto the preset and validates', () => {
    const c = resolveConfig(schema, preset, [
      'optimizer.name=lars',
      'optimizer.lr=0.3',
      'optimizer.nesterov=true',
      'optimizer.milestones=[10,20]',
      'loss.queue=4096',
      'note=hello world',
    ]);
    expect(c.optimizer).toEqual({ name: 'lars', lr: 0.3, nesterov: true, milestones: [10, 20] });
    expect(c.loss.queue).toBe(4096);
    expect(c.note).toBe('hello world');
    expect(resolveConfig(schema, preset)).toEqual(preset);
  });

  it('lists every bad field at once', () => {
    const err = configError(() =>
      resolveConfig(schema, preset, [
        'optimizer.lr=-1', // schema: must be > 0
        'optimizer.name=rmsprop', // schema: enum
        'optimizer.lrr=0.1', // unknown key, nearest 'lr'
        'loss.temperature.x=1', // path through a number
        'seed=1.5', // schema: integer
        'broken', // not key=value
        'optimizer.milestones=[1,', // bad JSON
      ]),
    );
    expect(isContrastiveError(err, 'CONFIG_INVALID')).toBe(true);
    const paths = err.issues.map((i) => i.path).sort();
    expect(paths).toEqual(['', 'loss.temperature', 'optimizer.lr', 'optimizer.lrr', 'optimizer.milestones', 'optimizer.name', 'seed'].sort());
    expect(err.issues.find((i) => i.path === 'optimizer.lrr')!.message).toMatch(/did you mean 'lr'/);
    expect(err.issues.find((i) => i.path === 'optimizer.lr')!.message).toMatch(/--set optimizer\.lr=-1/);
    expect(err.issues.find((i) => i.path === 'loss.temperature')!.message).toMatch(/is number/);
    for (const i of err.issues) expect(err.message).toContain(i.message);
  });

  it('reports problems of the preset itself', () => {
    const err = configError(() => resolveConfig(schema, { ...preset, extra: 1, loss: { temperature: 0 } }));
    expect(err.issues.map((i) => i.path).sort()).toEqual(['', 'loss.temperature']);
  });
});
