/**
 * The one error type of every Contrastive package.
 *
 * Messages follow `fn: 'arg' must be <expectation>; got <actual>` so that a
 * user sees which call, which argument, what was expected and what arrived.
 */

/** Machine-readable reason of a {@link ContrastiveError}. */
export type ContrastiveErrorCode =
  | 'INVALID_ARGUMENT'
  | 'RANK_MISMATCH'
  | 'SHAPE_MISMATCH'
  | 'DTYPE_MISMATCH'
  | 'OUT_OF_RANGE'
  | 'NOT_FINITE'
  | 'UNKNOWN_NAME'
  | 'DISPOSED'
  | 'CORRUPT_DATA'
  | 'NOT_FOUND'
  | 'BACKEND_UNAVAILABLE'
  | 'CONFIG_INVALID';

/** Options of a {@link ContrastiveError}. */
export interface ContrastiveErrorOptions {
  /** The public function that rejected its input, e.g. `ntXentLoss`. */
  fn?: string;
  /** The argument or option that was wrong, e.g. `temperature`. */
  argument?: string;
  /** The underlying error, when one was caught and rethrown. */
  cause?: unknown;
}

/** Error thrown by every Contrastive package for bad input or bad state. */
export class ContrastiveError extends Error {
  readonly code: ContrastiveErrorCode;
  readonly fn: string | undefined;
  readonly argument: string | undefined;

  constructor(code: ContrastiveErrorCode, message: string, options: ContrastiveErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ContrastiveError';
    this.code = code;
    this.fn = options.fn;
    this.argument = options.argument;
  }
}

/** True when `value` is a {@link ContrastiveError}, optionally with the given code. */
export function isContrastiveError(
  value: unknown,
  code?: ContrastiveErrorCode,
): value is ContrastiveError {
  return value instanceof ContrastiveError && (code === undefined || value.code === code);
}

/**
 * Builds the standard message `fn: 'argument' must be <expected>; got <actual>`
 * and the error that carries it.
 */
export function argumentError(
  code: ContrastiveErrorCode,
  fn: string,
  argument: string,
  expected: string,
  actual: string,
): ContrastiveError {
  return new ContrastiveError(code, `${fn}: '${argument}' must be ${expected}; got ${actual}`, {
    fn,
    argument,
  });
}
