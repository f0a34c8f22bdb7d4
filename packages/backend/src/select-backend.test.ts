import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ContrastiveError } from '@contrastive/core';
import { setBackend } from './select-backend';
import { WASM_TRAINING_KERNELS } from './wasm/register';
import { webgpuStatus } from '@contrastive/test-utils';
import { ensureGradients } from './ensure-gradients';

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

  it("'auto' says when it skips a software WebGPU adapter, and 'webgpu' by name uses it with its description", async () => {
    const status = webgpuStatus();
    if (!status.available && process.env['CI'] !== 'true') return; // no adapter on this machine (describeBackends warns)
    const auto = await setBackend('auto');
    const named = await setBackend('webgpu');
    expect(named.backend).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(named.provider).toBe('@tensorflow/tfjs-backend-webgpu');
    const adapter = named.device.adapter!;
    expect(adapter.vendor.length + adapter.name.length).toBeGreaterThan(0);
    if (adapter.software) {
      expect(named.device.kind).toBe('software-gpu');
      expect(named.reason).toContain('software device, asked for by name');
      // A software adapter is slower than wasm: 'auto' passes it over and says so.
      expect(auto.backend).toBe('wasm');
      expect(auto.reason).toContain('software device');
      expect(auto.reason.indexOf('software device')).toBeLessThan(auto.reason.indexOf('falling back to wasm'));
    } else {
      expect(named.device.kind).toBe('gpu');
      expect(auto.backend).toBe('webgpu');
    }
    // webgpu computes: a gradient through it matches cpu.
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const g = await tf.grad((a: tf.Tensor) => tf.sum(tf.matMul(a, a)))(x).data();
    expect(Array.from(g)).toEqual([7, 11, 9, 13]);
    x.dispose();
    await setBackend('cpu');
  });

  it('reports the device of every backend', async () => {
    // Default: every core (capped at 8), e.g. 'wasm (XNNPACK, SIMD, 2 threads) on the CPU'.
    const cores = Math.min(availableParallelism(), 8);
    const wasm = await setBackend('wasm');
    expect(wasm.threads).toBe(cores);
    expect(wasm.device).toEqual({ kind: 'cpu', description: `wasm (XNNPACK, SIMD, ${cores} thread${cores === 1 ? '' : 's'}) on the CPU` });
    expect((await setBackend('wasm', { threads: 1 })).device.description).toBe('wasm (XNNPACK, SIMD, 1 thread) on the CPU');
    expect((await setBackend('cpu')).device.kind).toBe('cpu');
  });

  it('keeps its own Sum and Mean gradients and finds tfjs-core\'s others registered', async () => {
    await setBackend('cpu');
    expect(ensureGradients()).toBe('already registered');
    expect(tf.getGradient('Concat')).toBeDefined();
  });
});

