/**
 * App configuration: `defineConfig` for typed presets, `--set key.path=value`
 * overrides, and {@link resolveConfig}, which applies the overrides onto a
 * preset, validates the result with a zod schema and reports every problem at
 * once (`CONFIG_INVALID`, with the list in `issues`).
 */
import { z } from 'zod';
import { ContrastiveError, nearestName } from '@contrastive/core';

/** Identity helper that keeps a preset's literal types: `export const smoke = defineConfig({...})`. */
export function defineConfig<const T>(config: T): T {
  return config;
}

/** One parsed `--set` argument. */
export interface ConfigOverride {
  /** Path segments, e.g. `['optimizer', 'lr']`. */
  readonly path: readonly string[];
  readonly value: unknown;
  /** The original `key.path=value` text. */
  readonly raw: string;
}

/** One problem found by {@link resolveConfig}. */
export interface ConfigIssue {
  /** Dotted path of the field (`''` for the whole config or an unparsable `--set`). */
  readonly path: string;
  readonly message: string;
}

/** `CONFIG_INVALID` with every problem in `issues`. */
export class ConfigError extends ContrastiveError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    const lines = issues.map((i) => `  - ${i.path === '' ? '(config)' : i.path}: ${i.message}`);
    super(
      'CONFIG_INVALID',
      `resolveConfig: the configuration must be valid; got ${issues.length} problem${issues.length === 1 ? '' : 's'}:\n${lines.join('\n')}`,
      { fn: 'resolveConfig', argument: issues[0]?.path ?? '' },
    );
    this.issues = issues;
  }
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * Parses the value of a `--set`: `true`/`false`, `null`, numbers (`1e-3`, `-2`, `.5`),
 * JSON arrays/objects/strings (`[120,160]`, `{"a":1}`, `"0.1"`); anything else is a string.
 * Throws `CONFIG_INVALID` for malformed JSON.
 */
export function parseOverrideValue(text: string): unknown {
  const t = text.trim();
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  if (NUMBER.test(t)) return Number(t);
  if (/^[[{"]/.test(t)) {
    try {
      return JSON.parse(t) as unknown;
    } catch (e) {
      throw new ConfigError([{ path: '', message: `value ${JSON.stringify(text)} must be valid JSON (${(e as Error).message})` }]);
    }
  }
  return text;
}

/** Parses one `key.path=value`; throws `CONFIG_INVALID` when malformed. */
export function parseOverride(text: string): ConfigOverride {
  const eq = typeof text === 'string' ? text.indexOf('=') : -1;
  if (eq <= 0) {
    throw new ConfigError([{ path: '', message: `--set ${JSON.stringify(text)} must look like key.path=value` }]);
  }
  const key = text.slice(0, eq).trim();
  const path = key.split('.');
  if (path.some((s) => !SEGMENT.test(s))) {
    throw new ConfigError([{ path: key, message: `--set ${JSON.stringify(text)}: the key must be dot-separated names of letters, digits, '_' or '-'` }]);
  }
  try {
    return { path, value: parseOverrideValue(text.slice(eq + 1)), raw: text };
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(e.issues.map((i) => ({ path: key, message: `--set ${text}: ${i.message}` })));
    throw e;
  }
}

type Schema = z.ZodType;

/** The object schema under wrappers (optional, nullable, default), or null if not an object. */
function objectShape(schema: Schema | undefined): Record<string, Schema> | null {
  let s: unknown = schema;
  for (let k = 0; k < 10 && s !== undefined; k++) {
    if (s instanceof z.ZodObject) return s.shape as Record<string, Schema>;
    const unwrap = (s as { unwrap?: () => unknown }).unwrap;
    if (typeof unwrap !== 'function') return null;
    s = unwrap.call(s);
  }
  return null;
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * Applies overrides onto a deep copy of `base`. Unknown keys (checked against
 * the schema's object shapes when a schema is given, with a "did you mean")
 * and paths through non-objects are collected as issues rather than thrown.
 */
export function applyOverrides(
  base: unknown,
  overrides: readonly ConfigOverride[],
  schema?: Schema,
): { config: unknown; issues: ConfigIssue[] } {
  const config = clone(base) as Record<string, unknown>;
  const issues: ConfigIssue[] = [];
  for (const o of overrides) {
    let target: unknown = config;
    let shape = schema === undefined ? null : objectShape(schema);
    for (let i = 0; i < o.path.length; i++) {
      const seg = o.path[i]!;
      const here = o.path.slice(0, i + 1).join('.');
      if (shape !== null && !(seg in shape)) {
        const near = nearestName(seg, Object.keys(shape));
        issues.push({ path: here, message: `unknown key '${seg}' (--set ${o.raw})${near ? `; did you mean '${near}'?` : ''}` });
        break;
      }
      if (target === null || typeof target !== 'object') {
        issues.push({ path: o.path.slice(0, i).join('.'), message: `is ${target === null ? 'null' : typeof target}, so '${seg}' cannot be set (--set ${o.raw})` });
        break;
      }
      const container = target as Record<string, unknown>;
      if (i === o.path.length - 1) {
        container[seg] = clone(o.value);
      } else {
        if (container[seg] === undefined && shape !== null && objectShape(shape[seg]) !== null) container[seg] = {};
        target = container[seg];
        shape = shape === null ? null : objectShape(shape[seg]);
      }
    }
  }
  return { config, issues };
}

/**
 * Resolves a preset plus `--set` arguments against a zod schema. Every bad
 * `--set`, unknown key and schema violation is reported together in one
 * {@link ConfigError} (`CONFIG_INVALID`). Returns the parsed config.
 */
export function resolveConfig<S extends Schema>(schema: S, preset: unknown, sets: readonly string[] = []): z.output<S> {
  const issues: ConfigIssue[] = [];
  const overrides: ConfigOverride[] = [];
  for (const s of sets) {
    try {
      overrides.push(parseOverride(s));
    } catch (e) {
      if (e instanceof ConfigError) issues.push(...e.issues);
      else throw e;
    }
  }
  const applied = applyOverrides(preset, overrides, schema);
  issues.push(...applied.issues);
  const result = schema.safeParse(applied.config);
  if (!result.success) {
    for (const i of result.error.issues) {
      const path = i.path.map(String).join('.');
      const from = overrides.find((o) => o.path.join('.') === path);
      issues.push({ path, message: `${i.message}${from ? ` (--set ${from.raw})` : ''}` });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return result.data as z.output<S>;
}
