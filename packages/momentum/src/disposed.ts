import { ContrastiveError } from '@contrastive/core';

/** Throws `DISPOSED` when `disposed` is true. */
export function assertAlive(disposed: boolean, fn: string): void {
  if (disposed) {
    throw new ContrastiveError('DISPOSED', `${fn}: the object was disposed; create a new one`, { fn });
  }
}
