/**
 * How many images decode at once. sharp runs each pipeline as a task of
 * libuv's thread pool, whose size is `UV_THREADPOOL_SIZE` (default 4), read
 * once when the pool first starts: a program sets it at the top of its entry
 * point ({@link sizeDecodeThreadPool}), before any file or crypto call.
 */
import { availableParallelism } from 'node:os';
import sharp from 'sharp';
import { assertInteger } from '@contrastive/core';

/** libuv's default pool size. */
const LIBUV_DEFAULT_THREADS = 4;

/** Threads of libuv's pool: `UV_THREADPOOL_SIZE` when set (1..1024), else 4. */
export function decodeThreads(): number {
  const n = Number(process.env['UV_THREADPOOL_SIZE']);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, 1024) : LIBUV_DEFAULT_THREADS;
}

/**
 * Sizes libuv's pool to `threads` (default: the machine's cores,
 * `os.availableParallelism()`) unless `UV_THREADPOOL_SIZE` is already set,
 * and runs each sharp pipeline on one libvips thread (`sharp.concurrency(1)`):
 * images decode in parallel across the pool instead of each image's rows
 * across libvips threads, which for ImageNet-sized images wastes time on
 * thread hand-offs. Takes effect only if called before libuv's pool starts
 * (the first asynchronous file, DNS, crypto or sharp call): put it at the top
 * of a program's entry module. Returns the pool size in force.
 */
export function sizeDecodeThreadPool(threads: number = availableParallelism()): number {
  assertInteger('sizeDecodeThreadPool', 'threads', threads, 1, 1024);
  if (process.env['UV_THREADPOOL_SIZE'] === undefined) process.env['UV_THREADPOOL_SIZE'] = String(threads);
  sharp.concurrency(1);
  return decodeThreads();
}
