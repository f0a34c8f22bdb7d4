/**
 * Worker threads that cut and resize the RandomResizedCrop views of decoded
 * images with Pillow's resampling ({@link pilResizedCrop}), so the views of
 * several images are resized at once, off the JavaScript thread, while
 * libuv's pool decodes the next files. A sharp pipeline per view cost about
 * 1.7-2 ms of CPU on the development machine whatever the kernel (nearest
 * included); the workers' WebAssembly SIMD passes (pil-resample.wat) about
 * 0.65 ms, JavaScript (where WebAssembly SIMD is missing) 0.9-2.4 ms.
 *
 * The worker script is built from the source text of the self-contained
 * functions of `pil-resample.ts` and the module's bytes (no file to ship or
 * locate). Idle workers
 * are `unref`ed, so a program that has finished exits by itself; a worker
 * that dies rejects its jobs and is replaced on the next job.
 */
import { Worker } from 'node:worker_threads';
import type { CropBox } from '@contrastive/augment';
import {
  pilAxisTaps,
  pilClipByte,
  pilCropViews,
  pilCropViewsWasm,
  pilFilterSupport,
  pilFilterWeight,
  pilMessageBoxes,
  pilResampleWasm,
  pilResizedCrop,
  pilViewCutter,
  type PilCropMessage,
  type PilFilter,
  type PilViewCutter,
} from './pil-resample';
import { PIL_RESAMPLE_WASM_BASE64 } from './pil-resample-wasm';

/** The views of one decoded image to cut. */
export interface CropJob {
  /** Packed RGB pixels, `height * width * 3` bytes. */
  readonly pixels: Uint8Array;
  readonly height: number;
  readonly width: number;
  /** One box per view, inside the image. */
  readonly boxes: readonly CropBox[];
  /** Output `[height, width]` of every view. */
  readonly size: readonly [number, number];
  readonly filter: PilFilter;
}

/** Cuts views; `threads` 0 runs them on the calling thread. */
export interface CropWorkers {
  readonly threads: number;
  /** The views of `job`, one after the other: `boxes.length * h * w * 3` bytes. */
  crop(job: CropJob): Promise<Uint8Array>;
  /** What cuts the views: WebAssembly SIMD or JavaScript (known after the first job). */
  engine(): PilViewCutter['engine'] | undefined;
}

type CropReply =
  | { id: number; views: Uint8Array; error?: undefined }
  | { id: number; error: string }
  | { ready: true; engine: PilViewCutter['engine'] }
  | { ready: false; error: string };

/** The worker's program: the resampling functions' source and a message loop. */
function workerSource(): string {
  const functions = [
    pilFilterWeight,
    pilFilterSupport,
    pilAxisTaps,
    pilClipByte,
    pilResizedCrop,
    pilMessageBoxes,
    pilCropViews,
    pilCropViewsWasm,
    pilResampleWasm,
    pilViewCutter,
  ];
  return [
    // Bundlers that keep function names wrap them in a `__name` helper; the worker has none.
    'var __name = (f) => f;',
    ...functions.map((f) => f.toString()),
    // Not `require`: the worker's code is an ES module when the program was started with --input-type=module.
    "const { parentPort } = process.getBuiltinModule('node:worker_threads');",
    `const cutter = ${pilViewCutter.name}(${JSON.stringify(PIL_RESAMPLE_WASM_BASE64)});`,
    'const cut = (m) => cutter.cut(m);',
    // A first crop at start-up: a bundler that rewrote the functions' references shows here.
    'try {',
    "  cut({ id: 0, pixels: new Uint8Array(12), width: 2, boxes: Int32Array.of(0, 0, 2, 2), outHeight: 1, outWidth: 1, filter: 'linear' });",
    '  parentPort.postMessage({ ready: true, engine: cutter.engine });',
    '} catch (error) { parentPort.postMessage({ ready: false, error: String((error && error.message) || error) }); }',
    'parentPort.on("message", (m) => {',
    '  let views;',
    '  try { views = cut(m); }',
    '  catch (error) { parentPort.postMessage({ id: m.id, error: String((error && error.message) || error) }); return; }',
    '  parentPort.postMessage({ id: m.id, views }, [views.buffer]);',
    '});',
  ].join('\n');
}

function toMessage(id: number, job: CropJob): PilCropMessage {
  const boxes = new Int32Array(job.boxes.length * 4);
  job.boxes.forEach((b, v) => boxes.set([b.top, b.left, b.height, b.width], 4 * v));
  return { id, pixels: job.pixels, width: job.width, boxes, outHeight: job.size[0], outWidth: job.size[1], filter: job.filter };
}

interface PoolWorker {
  readonly worker: Worker;
  readonly pending: Map<number, { resolve: (views: Uint8Array) => void; reject: (error: Error) => void }>;
  dead: boolean;
}

/** `threads` (>= 0) crop workers, started on first use. */
export function createCropWorkers(threads: number): CropWorkers {
  if (threads === 0) {
    let cutter: PilViewCutter | undefined;
    return {
      threads,
      engine: () => cutter?.engine,
      crop: async (job) => {
        cutter ??= pilViewCutter(PIL_RESAMPLE_WASM_BASE64);
        return cutter.cut(toMessage(0, job));
      },
    };
  }
  const pool: PoolWorker[] = [];
  const inline = createCropWorkers(0);
  let source: string | undefined;
  let nextId = 0;
  /** Settles true once a worker has cut its start-up crop, false when workers cannot run here. */
  let usable: Promise<boolean> | undefined;
  let workersEngine: PilViewCutter['engine'] | undefined;

  const start = (): { entry: PoolWorker; ready: Promise<boolean> } => {
    source ??= workerSource();
    const entry: PoolWorker = { worker: new Worker(source, { eval: true }), pending: new Map(), dead: false };
    let started: boolean | undefined;
    let settleReady: (ok: boolean) => void = () => {};
    const ready = new Promise<boolean>((resolve) => (settleReady = resolve)).then((ok) => (started = ok));
    const fail = (error: Error): void => {
      if (started === undefined) process.emitWarning(`crop workers unavailable (${error.message}); cutting views on the JavaScript thread`);
      settleReady(false);
      entry.dead = true;
      for (const p of entry.pending.values()) p.reject(error);
      entry.pending.clear();
      const at = pool.indexOf(entry);
      if (at >= 0) pool.splice(at, 1);
    };
    entry.worker.on('message', (reply: CropReply) => {
      if ('ready' in reply) {
        if (!reply.ready) process.emitWarning(`crop workers unavailable (${reply.error}); cutting views on the JavaScript thread`);
        if (reply.ready) workersEngine = reply.engine;
        settleReady(reply.ready);
        if (!reply.ready) void entry.worker.terminate();
        else if (entry.pending.size === 0) entry.worker.unref();
        return;
      }
      const p = entry.pending.get(reply.id);
      if (p === undefined) return;
      entry.pending.delete(reply.id);
      if (entry.pending.size === 0) entry.worker.unref();
      if (reply.error !== undefined) p.reject(new Error(reply.error));
      else p.resolve(reply.views);
    });
    entry.worker.on('error', fail);
    entry.worker.on('exit', (code) => {
      if (!entry.dead) fail(new Error(`crop worker exited with code ${code}`));
    });
    // Referenced until its start-up crop is in (someone awaits it), then only while it has jobs.
    pool.push(entry);
    return { entry, ready };
  };

  const pick = (): PoolWorker => {
    if (pool.length < threads) return start().entry;
    let best = pool[0]!;
    for (const w of pool) if (w.pending.size < best.pending.size) best = w;
    return best;
  };

  return {
    threads,
    engine: () => workersEngine ?? inline.engine(),
    async crop(job) {
      usable ??= start().ready;
      if (!(await usable)) return inline.crop(job);
      return new Promise<Uint8Array>((resolve, reject) => {
        const entry = pick();
        const id = nextId++;
        entry.worker.ref();
        entry.pending.set(id, { resolve, reject });
        entry.worker.postMessage(toMessage(id, job));
      });
    },
  };
}

const shared = new Map<number, CropWorkers>();

/** One pool per thread count for the whole process (workers are started lazily). */
export function sharedCropWorkers(threads: number): CropWorkers {
  let workers = shared.get(threads);
  if (workers === undefined) {
    workers = createCropWorkers(threads);
    shared.set(threads, workers);
  }
  return workers;
}
