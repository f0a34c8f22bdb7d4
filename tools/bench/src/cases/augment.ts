/**
 * Two-view augmentation throughput with the paper presets, against
 * torchvision's PIL pipeline on one worker (reference/augment.py).
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@contrastive/core';
import { getAugmentPreset, multiView, type AugmentPresetName } from '@contrastive/augment';
import type { BenchCase } from '../types';

function twoViewCase(preset: AugmentPresetName, batch: number, side: number): BenchCase {
  return {
    name: `augment/${preset}-2view-${side}px-b${batch}`,
    description: `two ${preset} views of a batch of ${batch} ${side}x${side} RGB images (float32 NHWC in [0, 1])`,
    backends: ['wasm'],
    repeats: 5,
    warmup: 1,
    items: { count: batch, unit: 'images' },
    torch: { script: 'augment.py', args: [preset, String(batch), String(side)] },
    async setup() {
      const rng = createRng(0);
      const pixels = Float32Array.from({ length: batch * side * side * 3 }, () => Math.floor(rng.next() * 256) / 255);
      const images = tf.tensor4d(pixels, [batch, side, side, 3]);
      const views = multiView(getAugmentPreset(preset).train, 2);
      const cpu: number[] = [];
      return {
        async run() {
          const cpu0 = process.cpuUsage();
          const out = views(images, rng);
          await Promise.all(out.map((v) => v.data()));
          tf.dispose(out);
          const used = process.cpuUsage(cpu0);
          cpu.push((used.user + used.system) / 1000);
        },
        dispose() {
          images.dispose();
          // CPU time too: on a shared machine it moves much less than wall time.
          const sorted = cpu.slice(1).sort((a, b) => a - b);
          console.log(`  ours: CPU ms per run, median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(1)} (${sorted.map((c) => c.toFixed(0)).join(', ')})`);
        },
      };
    },
  };
}

export const cases: BenchCase[] = [twoViewCase('simclr-cifar', 256, 32), twoViewCase('moco-v2', 64, 224)];
