import { describe, expect, it } from 'vitest';
import { loadNative, tensorflowDevice } from './native-tensorflow';

describe('tensorflowDevice', () => {
  it('a GPU package whose TensorFlow found a CUDA device runs on the GPU', () => {
    const d = tensorflowDevice('@tensorflow/tfjs-node-gpu', { isGPUPackage: true, isUsingGpuDevice: true });
    expect(d.gpu).toBe(true);
    expect(d.description).toContain('CUDA GPU');
  });

  it('a GPU package without a usable GPU says it runs on the CPU and which CUDA/cuDNN it needs', () => {
    const d = tensorflowDevice('@tensorflow/tfjs-node-gpu', { isGPUPackage: true, isUsingGpuDevice: false });
    expect(d.gpu).toBe(false);
    expect(d.description).toContain('runs on the CPU');
    expect(d.description).toContain('CUDA 11.2');
    expect(d.description).toContain('cuDNN 8.1');
  });

  it('the CPU package runs on the CPU', () => {
    const d = tensorflowDevice('@tensorflow/tfjs-node', { isGPUPackage: false, isUsingGpuDevice: false });
    expect(d).toEqual({ gpu: false, description: '@tensorflow/tfjs-node runs TensorFlow on the CPU (multi-threaded native kernels)' });
  });

  it('loadNative names every package it tried when none is installed', () => {
    const load = loadNative();
    expect('failures' in load && load.failures.map((f) => f.split(':')[0])).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
  });
});
