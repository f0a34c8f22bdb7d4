/**
 * Variable lists for the optimizers: plain `tf.Variable`s or tfjs-layers
 * `LayerVariable`s (anything with `read(): Variable`, e.g. `model.trainableWeights`),
 * and the rule that picks which of them skip weight decay / LARS adaptation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { argumentError, ContrastiveError } from '@contrastive/core';

/** A `tf.Variable`, or a tfjs-layers `LayerVariable` whose `read()` returns one. */
export type VariableLike = tf.Variable | { read(): tf.Tensor; readonly name: string };

/** What a decay/adaptation exclusion rule sees about one variable. */
export interface VariableInfo {
  readonly name: string;
  readonly shape: readonly number[];
  /** Position in the optimizer's variable list. */
  readonly index: number;
}

/**
 * Which variables are excluded from weight decay (and, for LARS, from the
 * trust-ratio adaptation):
 * - `'none'`: none (PyTorch `SGD`/`AdamW` semantics, SiMo "wd also on norm layers");
 * - `'rank<=1'`: every variable of rank 0 or 1 — BatchNorm gamma/beta and biases
 *   (the usual PyTorch parameter-group rule, equivalent to SimCLR's name list for
 *   conv/dense/BN networks);
 * - a `RegExp` tested on the variable name (SimCLR: `/batch_normalization|bias/`);
 * - a predicate.
 */
export type ExclusionRule = 'none' | 'rank<=1' | RegExp | ((variable: VariableInfo) => boolean);

/** SimCLR's name list `['batch_normalization', 'bias']` as a pattern (lars_optimizer.py). */
export const SIMCLR_EXCLUDE_PATTERN = /batch_normalization|bias/;

/** Resolves `VariableLike`s to `tf.Variable`s; throws on anything else or on duplicates. */
export function resolveVariables(fn: string, variables: readonly VariableLike[]): tf.Variable[] {
  if (!Array.isArray(variables) || variables.length === 0) {
    throw argumentError(
      'INVALID_ARGUMENT',
      fn,
      'variables',
      'a non-empty array of tf.Variable or LayerVariable',
      Array.isArray(variables) ? 'an empty array' : typeof variables,
    );
  }
  const out = variables.map((v, i) => {
    const resolved = v instanceof tf.Variable ? v : typeof (v as { read?: unknown }).read === 'function' ? (v as { read(): tf.Tensor }).read() : v;
    if (!(resolved instanceof tf.Variable)) {
      throw argumentError('INVALID_ARGUMENT', fn, `variables[${i}]`, 'a tf.Variable or LayerVariable', typeof v);
    }
    if (resolved.dtype !== 'float32') {
      throw argumentError('DTYPE_MISMATCH', fn, `variables[${i}]`, 'float32', resolved.dtype);
    }
    return resolved;
  });
  const names = new Set<string>();
  for (const v of out) {
    if (names.has(v.name)) {
      throw new ContrastiveError('INVALID_ARGUMENT', `${fn}: 'variables' must be distinct; got '${v.name}' twice`, {
        fn,
        argument: 'variables',
      });
    }
    names.add(v.name);
  }
  return out;
}

/** Applies an {@link ExclusionRule} to every variable; true means excluded. */
export function excludedMask(fn: string, argument: string, rule: ExclusionRule, variables: readonly tf.Variable[]): boolean[] {
  return variables.map((v, index) => {
    const info: VariableInfo = { name: v.name, shape: v.shape, index };
    if (rule === 'none') return false;
    if (rule === 'rank<=1') return v.rank <= 1;
    if (rule instanceof RegExp) return rule.test(v.name);
    if (typeof rule === 'function') return Boolean(rule(info));
    throw argumentError('INVALID_ARGUMENT', fn, argument, "'none', 'rank<=1', a RegExp or a function", String(rule));
  });
}
