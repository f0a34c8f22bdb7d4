/**
 * How many images decode at once. sharp runs each pipeline as a task of
 * libuv's thread pool, whose size is `UV_THREADPOOL_SIZE` (default 4), read
 * once when the pool first starts. An ES module program has started it before
 * its first line runs (the module loader reads files through it), so the size
 * must be in the environment the process starts with: a program's entry
 * restarts itself with {@link decodeThreadPoolEnv} when it is missing (the
 * contrastive CLI does).
 */
import { availableParallelism } from 'node:os';

/** libuv's default pool size. */
const LIBUV_DEFAULT_THREADS = 4;
/** libuv's largest pool. */
const LIBUV_MAX_THREADS = 1024;

/** Threads of libuv's pool: `UV_THREADPOOL_SIZE` when set (1..1024), else 4. */
export function decodeThreads(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env['UV_THREADPOOL_SIZE']);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, LIBUV_MAX_THREADS) : LIBUV_DEFAULT_THREADS;
}

/**
 * The environment to start a decoding process with: `env` plus
 * `UV_THREADPOOL_SIZE` = the machine's cores (`os.availableParallelism()`, at
 * least libuv's default 4), or undefined when `env` already sets it.
 */
export function decodeThreadPoolEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv | undefined {
  if (env['UV_THREADPOOL_SIZE'] !== undefined) return undefined;
  return { ...env, UV_THREADPOOL_SIZE: String(Math.min(Math.max(availableParallelism(), LIBUV_DEFAULT_THREADS), LIBUV_MAX_THREADS)) };
}
