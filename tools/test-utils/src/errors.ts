import { ContrastiveError } from '@contrastive/core';

/**
 * Runs `fn`, which must throw a ContrastiveError, and returns its
 * `[code, argument]` (tests assert those, not whole messages). Any other
 * outcome fails the test.
 */
export function codeOf(fn: () => unknown): [string, string | undefined] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ContrastiveError) return [error.code, error.argument];
    throw error;
  }
  throw new Error('expected a ContrastiveError');
}
