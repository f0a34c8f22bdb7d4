/**
 * Float64 reference of CCT / CACR (spec §6(a)): the small-scale form with V
 * views and the MoCo-style form with a queue. Plain loops over pairs, the
 * transport plans as explicit softmaxes. Stop-gradient on the plans is
 * modelled by `frozen`: the plans are then computed from the frozen inputs,
 * so central finite differences treat them as constants.
 */
import type { Matrix } from '../random';
import { row } from '../random';
import { logSumExp, normalizeRows } from '../f64';

export interface CctReferenceOptions {
  tPos: number;
  tNeg: number;
  alpha: number;
  beta: number;
  debiased?: boolean;
  tauPlus?: number;
  /** Default true. */
  normalize?: boolean;
}

function prep(m: Matrix, normalize: boolean | undefined): Matrix {
  return normalize === false ? m : normalizeRows(m);
}

function squaredDistance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s;
}

/** sum_j softmax(scale * planCosts)_j * costs_j. */
function transport(costs: number[], planCosts: number[], scale: number): number {
  const logits = planCosts.map((c) => scale * c);
  const lse = logSumExp(logits);
  return costs.reduce((s, c, j) => s + Math.exp(logits[j]! - lse) * c, 0);
}

/** { attraction, repulsion } of the small-scale CACR loss (spec §6(a)). */
export function cctTermsReference(
  views: readonly Matrix[],
  o: CctReferenceOptions,
  frozen?: readonly Matrix[],
): { attraction: number; repulsion: number } {
  const z = views.map((m) => prep(m, o.normalize));
  const f = (frozen ?? views).map((m) => prep(m, o.normalize));
  const v = z.length;
  const b = z[0]!.rows;
  let attraction = 0;
  for (let x = 0; x < v; x++) {
    let sum = 0;
    for (let i = 0; i < b; i++) {
      const costs: number[] = [];
      const plan: number[] = [];
      for (let y = 0; y < v; y++) {
        if (y === x) continue;
        costs.push(squaredDistance(row(z[x]!, i), row(z[y]!, i)));
        plan.push(squaredDistance(row(f[x]!, i), row(f[y]!, i)));
      }
      sum += transport(costs, plan, o.tPos);
    }
    attraction += sum / b;
  }
  attraction = (o.alpha * attraction) / v;

  const tauPlus = o.tauPlus ?? 0.1;
  let repulsion = 0;
  let pairs = 0;
  for (let x = 0; x < v; x++) {
    for (let y = x + 1; y < v; y++) {
      let sum = 0;
      for (let i = 0; i < b; i++) {
        const costs: number[] = [];
        const plan: number[] = [];
        for (let j = 0; j < b; j++) {
          if (j === i) continue;
          costs.push(squaredDistance(row(z[x]!, i), row(z[y]!, j)));
          plan.push(squaredDistance(row(f[x]!, i), row(f[y]!, j)));
        }
        const negative = -o.beta * transport(costs, plan, -o.tNeg);
        if (o.debiased === true) {
          const positive = squaredDistance(row(z[x]!, i), row(z[y]!, i));
          sum += (-tauPlus * positive + negative) / (1 - tauPlus);
        } else {
          sum += negative;
        }
      }
      repulsion += sum / b;
      pairs++;
    }
  }
  return { attraction, repulsion: repulsion / pairs };
}

export interface CctQueueReferenceOptions {
  tPos: number;
  tNeg: number;
  alpha: number;
  beta: number;
  normalize?: boolean;
}

/**
 * MoCo-v2-style CACR (spec §6(a), ImageNet builder, computed per view): for
 * each view x, attraction over keys of the other views of the same image,
 * repulsion over the queue plus the other queries of view x; averaged over
 * views. `frozenQueries` freezes the plans (detached weights).
 */
export function cctQueueTermsReference(
  queries: readonly Matrix[],
  keys: readonly Matrix[],
  queue: Matrix,
  o: CctQueueReferenceOptions,
  frozenQueries?: readonly Matrix[],
): { attraction: number; repulsion: number } {
  const q = queries.map((m) => prep(m, o.normalize));
  const fq = (frozenQueries ?? queries).map((m) => prep(m, o.normalize));
  const k = keys.map((m) => prep(m, o.normalize));
  const n = prep(queue, o.normalize);
  const v = q.length;
  const b = q[0]!.rows;
  let attraction = 0;
  let repulsion = 0;
  for (let x = 0; x < v; x++) {
    let a = 0;
    let r = 0;
    for (let i = 0; i < b; i++) {
      const costs: number[] = [];
      const plan: number[] = [];
      for (let y = 0; y < v; y++) {
        if (y === x) continue;
        costs.push(squaredDistance(row(q[x]!, i), row(k[y]!, i)));
        plan.push(squaredDistance(row(fq[x]!, i), row(k[y]!, i)));
      }
      a += transport(costs, plan, o.tPos);
      const negCosts: number[] = [];
      const negPlan: number[] = [];
      for (let j = 0; j < n.rows; j++) {
        negCosts.push(squaredDistance(row(q[x]!, i), row(n, j)));
        negPlan.push(squaredDistance(row(fq[x]!, i), row(n, j)));
      }
      for (let j = 0; j < b; j++) {
        if (j === i) continue;
        negCosts.push(squaredDistance(row(q[x]!, i), row(q[x]!, j)));
        negPlan.push(squaredDistance(row(fq[x]!, i), row(fq[x]!, j)));
      }
      r += transport(negCosts, negPlan, -o.tNeg);
    }
    attraction += a / b;
    repulsion += r / b;
  }
  return { attraction: (o.alpha * attraction) / v, repulsion: (-o.beta * repulsion) / v };
}

