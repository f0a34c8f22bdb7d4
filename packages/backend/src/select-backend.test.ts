import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ContrastiveError } from '@contrastive/core';
import { setBackend } from './select-backend';
import { WASM_TRAINING_KERNELS } from './wasm/register';

describe('setBackend', () => {
  it("'auto' falls back to wasm without the native bindings and says why", async () => {
    const choice = await setBackend('auto');
    expect(choice.backend).toBe('wasm');
    expect(choice.requested).toBe('auto');
    expect(choice.provider).toBe('@tensorflow/tfjs-backend-wasm');
    expect(choice.trainingKernels).toBe(true);
    expect(choice.reason).toContain('native bindings not installed');
    expect(choice.reason).toContain('@tensorflow/tfjs-node');
    expect(choice.reason).toContain('falling back to wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it("'tensorflow' throws BACKEND_UNAVAILABLE when tfjs-node is not installed", async () => {
    const error = await setBackend('tensorflow').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ContrastiveError);
    expect((error as ContrastiveError).code).toBe('BACKEND_UNAVAILABLE');
    expect((error as ContrastiveError).argument).toBe('request');
  });

  it('rejects unknown requests with the argument name', async () => {
    const error = await setBackend('gpu' as 'cpu').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ContrastiveError);
    expect((error as ContrastiveError).argument).toBe('request');
  });

  it("'wasm' registers every training kernel and 'cpu' activates cpu", async () => {
    await setBackend('wasm');
    for (const config of WASM_TRAINING_KERNELS) {
      expect(tf.getKernel(config.kernelName, 'wasm')?.kernelFunc).toBe(config.kernelFunc);
    }
    for (const name of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'UnsortedSegmentSum']) {
      expect(tf.getKernel(name, 'wasm')).toBeDefined();
    }
    const cpu = await setBackend('cpu');
    expect(cpu.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});
