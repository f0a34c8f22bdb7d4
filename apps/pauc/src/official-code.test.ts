/**
 * Paper presets against the official code PAUC builds on: salesforce/PCL @
 * 964da1fb7c0546e8ce55627fa3c0debde4b7e456 (main_pcl.py, pcl/builder.py).
 * PAUC itself has no public code (spec §3).
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '@contrastive/train';
import { paucSchema, PAUC_PRESETS, type PaucConfig } from './index';

const config = (name: keyof typeof PAUC_PRESETS) => resolveConfig(paucSchema, PAUC_PRESETS[name]) as PaucConfig;

describe('pauc paper presets = PCL v2 with the tie PCL makes between r and the queue', () => {
  it.each(['paper-imagenet', 'paper-imagenet100'] as const)('%s: queue length = r negative prototypes (main_pcl.py:85 --pcl-r; builder.py:13, 39, 180)', (name) => {
    const m = config(name).method;
    expect(m.queueSize).toBe(m.negativePrototypes);
  });

  it('paper-imagenet: r = 16384 (main_pcl.py:85 default)', () => {
    expect(config('paper-imagenet').method.negativePrototypes).toBe(16384);
  });

  it('paper-imagenet100: r = 2048 fits below k_min - B = 2500 - 256 (builder.py:180 samples r of the k_min negatives) and divides by the batch (builder.py:60)', () => {
    const c = config('paper-imagenet100');
    expect(c.method.negativePrototypes).toBe(2048);
    expect(c.method.negativePrototypes).toBeLessThanOrEqual(Math.min(...c.method.numClusters) - c.train.batchSize);
    expect(c.method.queueSize % c.train.batchSize).toBe(0);
  });
});
