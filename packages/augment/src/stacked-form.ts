/**
 * Stacked forms of ops: an op registers how to run on a stacked batch, and
 * `step`/`fixed` attach that form to the augmentation they build, so that
 * `compose` can chain such steps without converting the layout in between.
 * An op can also register an entry form, which takes an `[N, H, W, C]` batch
 * and returns a stacked one (a crop that writes the stacked layout directly),
 * used when the next step runs stacked.
 */
import type { Tensor4D } from '@tensorflow/tfjs-core';
import type { Rng } from '@contrastive/core';
import type { Stacked } from './stacked';

/** One step on a stacked batch; draws from `rng` exactly as the op does. */
export type StackedStep = (p: Stacked, rng: Rng) => Stacked;

type AnyOp = (...args: never[]) => unknown;

const forms = new WeakMap<AnyOp, (options: never) => StackedStep>();
const attached = new WeakMap<AnyOp, StackedStep>();

/** One step from an `[N, H, W, C]` batch into the stacked layout; draws as the op does. */
export type EntryStep = (images: Tensor4D, rng: Rng) => Stacked;

const entryForms = new WeakMap<AnyOp, (options: never) => EntryStep>();
const attachedEntries = new WeakMap<AnyOp, EntryStep>();

/** Declares the entry form of `op` (given the options `step` binds). */
export function registerEntryForm<O>(op: AnyOp, form: (options: O) => EntryStep): void {
  entryForms.set(op, form as (options: never) => EntryStep);
}

/** The entry form attached to an augmentation, if any. */
export function entryFormOf(augmentation: AnyOp): EntryStep | undefined {
  return attachedEntries.get(augmentation);
}

/** Declares the stacked form of `op` (given the options `step`/`fixed` bind). */
export function registerStackedForm<O>(op: AnyOp, form: (options: O) => StackedStep): void {
  forms.set(op, form as (options: never) => StackedStep);
}

/** `augmentation` with the stacked (and entry) form of `op` bound to `options` attached, when `op` has one. */
export function withStackedForm<A extends AnyOp>(augmentation: A, op: AnyOp, options: unknown): A {
  const form = forms.get(op);
  if (form !== undefined) attached.set(augmentation, form(options as never));
  const entry = entryForms.get(op);
  if (entry !== undefined) attachedEntries.set(augmentation, entry(options as never));
  return augmentation;
}

/** The stacked form attached to an augmentation, if any. */
export function stackedFormOf(augmentation: AnyOp): StackedStep | undefined {
  return attached.get(augmentation);
}
