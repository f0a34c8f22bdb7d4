/**
 * Counts what a stretch of training costs the host and the device: host
 * reads (every `read`/`readSync` of the active backend from outside a
 * kernel), kernels launched
 * (every kernel the engine runs; a composite kernel of this project counts
 * once), and peak tensor bytes (the engine's total after each kernel, at the
 * largest, and above where it started). The engine's own profiler is not
 * used: it times every kernel and fails inside nested gradient scopes.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface StepCounts {
  hostReads: number;
  kernels: number;
  /** Peak bytes of all live tensors (weights, optimiser state, queue, activations). */
  peakBytes: number;
  /** Peak bytes above the start: what the steps themselves hold at their largest (activations on the tape). */
  peakStepBytes: number;
}

type Reader = { read(dataId: object): Promise<unknown>; readSync(dataId: object): unknown };
type KernelRunner = { runKernelFunc(params: unknown): unknown; state: { numBytes: number; kernelDepth: number } };

/** Runs `f` with the active backend's reads and the engine's kernels counted. */
export async function countSteps(f: () => Promise<void>): Promise<StepCounts> {
  const backend = tf.backend() as unknown as Reader;
  const { read, readSync } = backend;
  let hostReads = 0;
  // cpu and wasm implement read with readSync: a read counts once, however it is served.
  let inRead = false;
  backend.read = async function (this: Reader, dataId: object) {
    hostReads++;
    inRead = true;
    try {
      return await read.call(this, dataId);
    } finally {
      inRead = false;
    }
  };
  // A kernel that reads its own inputs (wasm's SplitV copies out of the heap) is no wait on a device.
  const engineState = (tf.engine() as unknown as KernelRunner).state;
  backend.readSync = function (this: Reader, dataId: object) {
    if (!inRead && engineState.kernelDepth === 0) hostReads++;
    return readSync.call(this, dataId);
  };
  const engine = tf.engine() as unknown as KernelRunner;
  const { runKernelFunc } = engine;
  const startBytes = engine.state.numBytes;
  let kernels = 0;
  let peakBytes = startBytes;
  engine.runKernelFunc = function (this: KernelRunner, params: unknown) {
    kernels++;
    const out = runKernelFunc.call(this, params);
    peakBytes = Math.max(peakBytes, this.state.numBytes);
    return out;
  };
  try {
    await f();
    return { hostReads, kernels, peakBytes, peakStepBytes: peakBytes - startBytes };
  } finally {
    backend.read = read;
    backend.readSync = readSync;
    engine.runKernelFunc = runKernelFunc;
  }
}
