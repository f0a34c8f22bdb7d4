import type { Tensor } from '@tensorflow/tfjs-core';
import { ContrastiveError } from './errors';

/**
 * Reads `t` back (asynchronously) and throws `NOT_FINITE` if any entry is NaN
 * or infinite. This forces a device read-back, so library functions run it
 * only when asked (a `checkFinite` option); training loops call it on the loss.
 */
export async function assertFinite(fn: string, argument: string, t: Tensor): Promise<void> {
  const values = await t.data();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) {
      throw new ContrastiveError(
        'NOT_FINITE',
        `${fn}: '${argument}' must be finite; got ${v} at flat index ${i} of shape [${t.shape.join(',')}]`,
        { fn, argument },
      );
    }
  }
}
