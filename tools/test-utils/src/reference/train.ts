/**
 * Float64 references of the @contrastive/train optimizers, transcribed from
 * PyTorch `torch.optim.SGD` / `torch.optim.AdamW` and SimCLR `lars_optimizer.py`.
 * One call = one update of one parameter vector (flat number arrays).
 */

export interface SgdReferenceOptions {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  decay: 'coupled' | 'decoupled';
}

/** One PyTorch SGD step; `buf` is null before the first step. Returns new param and buffer. */
export function sgdStepReference(
  p: readonly number[],
  g: readonly number[],
  buf: readonly number[] | null,
  o: SgdReferenceOptions,
): { p: number[]; buf: number[] | null } {
  let d = g.map((gi, i) => (o.decay === 'coupled' ? gi + o.weightDecay * p[i]! : gi));
  let newBuf: number[] | null = null;
  if (o.momentum !== 0) {
    newBuf = buf === null ? [...d] : buf.map((b, i) => o.momentum * b + (1 - o.dampening) * d[i]!);
    d = o.nesterov ? d.map((di, i) => di + o.momentum * newBuf![i]!) : [...newBuf];
  }
  const base = p.map((pi) => (o.decay === 'decoupled' ? pi * (1 - o.lr * o.weightDecay) : pi));
  return { p: base.map((pi, i) => pi - o.lr * d[i]!), buf: newBuf };
}

export interface LarsReferenceOptions {
  lr: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  eta: number;
  decay: boolean;
  adapt: boolean;
}

const norm = (x: readonly number[]): number => Math.sqrt(x.reduce((s, v) => s + v * v, 0));

/** One SimCLR LARS step (classic momentum). */
export function larsStepReference(
  p: readonly number[],
  g: readonly number[],
  v: readonly number[],
  o: LarsReferenceOptions,
): { p: number[]; v: number[] } {
  const grad = g.map((gi, i) => (o.decay ? gi + o.weightDecay * p[i]! : gi));
  let trust = 1;
  if (o.adapt) {
    const w = norm(p);
    const gn = norm(grad);
    trust = w > 0 && gn > 0 ? (o.eta * w) / gn : 1;
  }
  const scaled = o.lr * trust;
  const nv = v.map((vi, i) => o.momentum * vi + scaled * grad[i]!);
  const update = o.nesterov ? nv.map((vi, i) => o.momentum * vi + scaled * grad[i]!) : nv;
  return { p: p.map((pi, i) => pi - update[i]!), v: nv };
}

export interface AdamWReferenceOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** One PyTorch AdamW step; `t` is the 1-based step count after this update. */
export function adamWStepReference(
  p: readonly number[],
  g: readonly number[],
  state: { m: readonly number[]; v: readonly number[]; t: number },
  o: AdamWReferenceOptions,
): { p: number[]; m: number[]; v: number[] } {
  const t = state.t;
  const decayed = p.map((pi) => pi * (1 - o.lr * o.weightDecay));
  const m = state.m.map((mi, i) => o.beta1 * mi + (1 - o.beta1) * g[i]!);
  const v = state.v.map((vi, i) => o.beta2 * vi + (1 - o.beta2) * g[i]! * g[i]!);
  const bc1 = 1 - Math.pow(o.beta1, t);
  const bc2 = 1 - Math.pow(o.beta2, t);
  const stepSize = o.lr / bc1;
  return {
    p: decayed.map((pi, i) => pi - (stepSize * m[i]!) / (Math.sqrt(v[i]!) / Math.sqrt(bc2) + o.eps)),
    m,
    v,
  };
}
