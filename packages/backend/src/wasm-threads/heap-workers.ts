/**
 * Heap workers: the composite kernels' heap passes (im2col, col2im, blocked
 * transposes, row copies) on the threaded backend, as WebAssembly
 * (`heap-passes.wat`, the twins of `wasm/heap-passes.ts`) instantiated on the
 * threaded module's shared memory by the calling thread and by Node worker
 * threads, so those passes run at native speed (JavaScript typed arrays on a
 * SharedArrayBuffer copy and loop 3-5x slower than on an ArrayBuffer in
 * Node 20) and use every core as XNNPACK's products do.
 *
 * Kernels are synchronous, so a pass is handed over through a shared control
 * block: the calling thread writes the pass and its arguments, wakes the
 * workers (`Atomics.notify`), and every thread claims pieces from a shared
 * counter until none is left ({@link claimHeapPieces}); the calling thread
 * then waits (`Atomics.wait`, allowed on Node's main thread) only for pieces
 * a worker is still running, never for a worker that has not woken up yet
 * (its claim then fails). A worker busy elsewhere, e.g. beside an XNNPACK
 * pool thread that spins after a product, simply takes fewer pieces.
 *
 * The worker program is the claim loop's source text and the compiled
 * module (no file to ship or locate); each worker checks both when it starts.
 * Workers are `unref`ed and block in `Atomics.wait` between passes, so a
 * program that has finished exits by itself.
 */
import { ContrastiveError } from '@contrastive/core';
import { HEAP_PASSES, type HeapWorkers } from '../wasm/heap-pass-runner';
import { heapPassesModule, heapPassesOn } from './heap-passes-module';

/** A pass as exported by heap-passes.wat: `(src, dst, dstLength, ...params, part, parts)`. */
type HeapPassExport = (...args: number[]) => void;

/** Slots of the control block (32-bit integers). */
const ROUND = 0;
const DONE = 1;
const PASS = 2;
const FAILED = 3;
const STOP = 4;
const ARG_COUNT = 5;
const NEXT_PIECE = 6;
const PIECES = 7;
const ARGS = 16;
const MAX_ARGS = 48;

/**
 * Pieces per thread of a split pass. Threads claim pieces from a shared
 * counter until none is left, so a thread slowed by another one on its core
 * (XNNPACK's pool threads spin for a while after each product before they
 * sleep) takes fewer pieces instead of holding the others up.
 */
const PIECES_PER_THREAD = 32;

/** How long the workers may take to start and check themselves. */
const START_TIMEOUT_MS = 20_000;

/** Heap workers that can be stopped. */
export interface HeapWorkerPool extends HeapWorkers {
  /** Stops the workers (passes then run in one piece on the calling thread). */
  close(): void;
}

/** The WebAssembly exports by pass id (heap-passes.wat names them as HEAP_PASSES does). */
const PASS_NAMES: string[] = Object.entries(HEAP_PASSES)
  .sort(([, a], [, b]) => a.id - b.id)
  .map(([name]) => name);

/**
 * Claims pieces of round `round` (15 bits) from the counter `ctrl[next]`
 * (`round << 16 | next piece`) and runs each with `work`, until none is
 * left or the calling thread has moved on to another round (then the claim
 * fails, so a worker that woke late never runs a piece with another round's
 * arguments). Counts every finished piece in `ctrl[done]` and wakes the
 * calling thread after the last. Self-contained: the workers run its source.
 */
export function claimHeapPieces(ctrl: Int32Array, next: number, done: number, round: number, pieces: number, work: (piece: number) => void): void {
  for (;;) {
    const claim = Atomics.load(ctrl, next);
    if (claim >>> 16 !== round || (claim & 0xffff) >= pieces) return;
    if (Atomics.compareExchange(ctrl, next, claim, claim + 1) !== claim) continue;
    try {
      work(claim & 0xffff);
    } finally {
      if (Atomics.add(ctrl, done, 1) + 1 === pieces) Atomics.notify(ctrl, done);
    }
  }
}

/** The worker's program: the piece-claiming loop around the passes' WebAssembly exports. */
function workerSource(): string {
  return [
    // Bundlers that keep function names wrap them in a `__name` helper; the worker has none.
    'var __name = (f) => f;',
    claimHeapPieces.toString(),
    `(function main() {
  const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
  const { memory, control, module, names } = workerData;
  const ctrl = new Int32Array(control);
  let passes;
  try {
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
    passes = names.map((name) => exports[name]);
    // The claim loop on a scratch block: one piece of round 0.
    let ran = 0;
    ${claimHeapPieces.name}(new Int32Array(new SharedArrayBuffer(32)), 6, 1, 0, 1, () => { ran++; });
    if (ran !== 1 || passes.some((f) => typeof f !== 'function')) throw new Error('start-up check failed');
    parentPort.postMessage({ ready: true });
  } catch (error) {
    parentPort.postMessage({ ready: false, error: String(error) });
    return;
  }
  let seen = 0;
  for (;;) {
    Atomics.wait(ctrl, ${ROUND}, seen);
    seen = Atomics.load(ctrl, ${ROUND});
    if (Atomics.load(ctrl, ${STOP}) !== 0) return;
    const pass = passes[ctrl[${PASS}]];
    const a = Array.from(ctrl.subarray(${ARGS}, ${ARGS} + ctrl[${ARG_COUNT}]));
    const pieces = ctrl[${PIECES}];
    ${claimHeapPieces.name}(ctrl, ${NEXT_PIECE}, ${DONE}, seen, pieces, (piece) => {
      try {
        pass(a[0], a[2], a[3], ...a.slice(4), piece, pieces);
      } catch (error) {
        Atomics.store(ctrl, ${FAILED}, 1);
      }
    });
  }
})();`,
  ].join('\n');
}

type Ready = { ready: true } | { ready: false; error: string };

/**
 * Starts `count` heap workers on `memory` (the threaded module's shared
 * memory): split passes are then shared by `count + 1` threads. Resolves
 * with the pool, or with why not (the module or a worker failed to start).
 */
export async function startHeapWorkers(memory: WebAssembly.Memory, count: number): Promise<{ pool: HeapWorkerPool } | { failure: string }> {
  const { Worker } = process.getBuiltinModule('node:worker_threads') as typeof import('node:worker_threads');
  const control = new SharedArrayBuffer(4 * (ARGS + MAX_ARGS));
  const ctrl = new Int32Array(control);
  const parts = count + 1;
  let passes: HeapPassExport[];
  let module: WebAssembly.Module;
  try {
    module = heapPassesModule();
    const exports = heapPassesOn(memory);
    passes = PASS_NAMES.map((name) => exports[name] as HeapPassExport);
  } catch (error) {
    return { failure: `the heap passes' WebAssembly module did not start (${String(error)})` };
  }
  const source = workerSource();
  const workers = Array.from({ length: count }, () => new Worker(source, { eval: true, workerData: { memory, control, module, names: PASS_NAMES } }));
  let dead = false;
  let round = 0;
  const stop = (): void => {
    dead = true;
    Atomics.store(ctrl, STOP, 1);
    Atomics.add(ctrl, ROUND, 1);
    Atomics.notify(ctrl, ROUND);
    for (const w of workers) void w.terminate();
  };
  const started = workers.map(
    (w) =>
      new Promise<string | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(`a heap worker did not start within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
        w.once('message', (m: Ready) => {
          clearTimeout(timer);
          resolve(m.ready ? undefined : `a heap worker failed its start-up check (${m.error})`);
        });
        w.once('error', (e) => {
          clearTimeout(timer);
          resolve(`a heap worker failed (${String(e)})`);
        });
        // A worker that ends (terminate, a crash) can take no more pieces.
        w.once('exit', () => {
          dead = true;
        });
      }),
  );
  const failures = (await Promise.all(started)).filter((f) => f !== undefined);
  if (failures.length > 0) {
    stop();
    return { failure: failures[0] as string };
  }
  for (const w of workers) w.unref();
  const pool: HeapWorkerPool = {
    threads: parts,
    run(pass, args, split) {
      if (args.length > MAX_ARGS) {
        throw new ContrastiveError('INVALID_ARGUMENT', `heap workers: 'args' must have at most ${MAX_ARGS} entries; got ${args.length}`, {
          fn: 'HeapWorkers.run',
          argument: 'args',
        });
      }
      const fn = passes[pass] as HeapPassExport;
      const [src, , dst, dstLength] = args as [number, number, number, number];
      const q = args.slice(4);
      if (!split || dead) {
        fn(src, dst, dstLength, ...q, 0, 1);
        return;
      }
      round = (round + 1) & 0x7fff;
      const pieces = parts * PIECES_PER_THREAD;
      // Close the previous round's claims before its arguments are overwritten.
      Atomics.store(ctrl, NEXT_PIECE, (round << 16) | 0xffff);
      ctrl[PASS] = pass;
      ctrl[ARG_COUNT] = args.length;
      for (let i = 0; i < args.length; i++) ctrl[ARGS + i] = args[i] as number;
      ctrl[PIECES] = pieces;
      Atomics.store(ctrl, DONE, 0);
      Atomics.store(ctrl, NEXT_PIECE, round << 16);
      Atomics.store(ctrl, ROUND, round);
      Atomics.notify(ctrl, ROUND);
      let failure: unknown;
      // This thread takes every piece no worker has claimed.
      claimHeapPieces(ctrl, NEXT_PIECE, DONE, round, pieces, (piece) => {
        try {
          fn(src, dst, dstLength, ...q, piece, pieces);
        } catch (error) {
          failure ??= error;
        }
      });
      for (let done = Atomics.load(ctrl, DONE); done < pieces; done = Atomics.load(ctrl, DONE)) Atomics.wait(ctrl, DONE, done);
      const workerFailed = Atomics.exchange(ctrl, FAILED, 0) !== 0;
      if (failure !== undefined) throw failure;
      if (workerFailed) {
        throw new ContrastiveError('BACKEND_UNAVAILABLE', `heap workers: pass ${pass} must run on every worker; got an error in a worker`, {
          fn: 'HeapWorkers.run',
          argument: 'pass',
        });
      }
    },
    close: stop,
  };
  return { pool };
}
