/**
 * Planar forms of ops: an op registers how to run on a planar batch, and
 * `step`/`fixed` attach that form to the augmentation they build, so that
 * `compose` can chain such steps without converting the layout in between.
 */
import type { Rng } from '@contrastive/core';
import type { Planar } from './planar';

/** One step on a planar batch; draws from `rng` exactly as the op does. */
export type PlanarStep = (p: Planar, rng: Rng) => Planar;

type AnyOp = (...args: never[]) => unknown;

const forms = new WeakMap<AnyOp, (options: never) => PlanarStep>();
const attached = new WeakMap<AnyOp, PlanarStep>();

/** Declares the planar form of `op` (given the options `step`/`fixed` bind). */
export function registerPlanarForm<O>(op: AnyOp, form: (options: O) => PlanarStep): void {
  forms.set(op, form as (options: never) => PlanarStep);
}

/** `augmentation` with the planar form of `op` bound to `options` attached, when `op` has one. */
export function withPlanarForm<A extends AnyOp>(augmentation: A, op: AnyOp, options: unknown): A {
  const form = forms.get(op);
  if (form !== undefined) attached.set(augmentation, form(options as never));
  return augmentation;
}

/** The planar form attached to an augmentation, if any. */
export function planarFormOf(augmentation: AnyOp): PlanarStep | undefined {
  return attached.get(augmentation);
}
