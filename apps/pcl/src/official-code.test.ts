/**
 * Paper presets against the official code, salesforce/PCL @
 * 964da1fb7c0546e8ce55627fa3c0debde4b7e456 (main_pcl.py, pcl/builder.py, README.md).
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '@contrastive/train';
import { pclSchema, PCL_PRESETS, type PclConfig } from './index';

const config = (name: keyof typeof PCL_PRESETS) => resolveConfig(pclSchema, PCL_PRESETS[name]) as PclConfig;
const at = (c: unknown, path: string) => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], c);

describe('pcl paper-imagenet = main_pcl.py with the README command (PCL v2)', () => {
  it.each([
    ['train.epochs', 200, "main_pcl.py:43 '--epochs' default 200"],
    ['train.batchSize', 256, "main_pcl.py:47 '-b' default 256"],
    ['optimizer.lr', 0.03, "main_pcl.py:52 '--lr' default 0.03; README.md:26 --lr 0.03"],
    ['optimizer.momentum', 0.9, "main_pcl.py:56 '--momentum' default 0.9"],
    ['optimizer.weightDecay', 1e-4, "main_pcl.py:58 '--wd' default 1e-4"],
    ['method.negativePrototypes', 16384, "main_pcl.py:85 '--pcl-r' default 16384 (builder.py:180 sample(neg_proto_id, self.r))"],
    ['method.queueSize', 16384, "main_pcl.py:85 the same r is the queue length (builder.py:13, 39)"],
    ['method.momentum', 0.999, "main_pcl.py:87 '--moco-m' default 0.999"],
    ['method.temperature', 0.2, "main_pcl.py:89 '--temperature' default 0.2; README.md:28"],
    ['model.head', 'moco-v2', 'README.md:29 --mlp (main_pcl.py:92)'],
    ['augment.preset', 'moco-v2', 'README.md:29 --aug-plus (main_pcl.py:94)'],
    ['schedule.decay', 'cosine', 'README.md:29 --cos (main_pcl.py:96)'],
    ['method.warmupEpochs', 20, "main_pcl.py:101 '--warmup-epoch' default 20"],
    ['method.kMeansIterations', 20, 'main_pcl.py:421 clus.niter = 20'],
    ['method.kMeansRestarts', 5, 'main_pcl.py:422 clus.nredo = 5'],
    ['method.maxPointsPerCentroid', 1000, 'main_pcl.py:424 clus.max_points_per_centroid = 1000'],
    ['method.concentrationAlpha', 10, 'main_pcl.py:450 mean distance / np.log(len(dist) + 10)'],
    ['eval.linearProbe', 'pcl', 'README.md:61 linear eval --lr 5'],
  ] as [string, unknown, string][])('%s = %s (%s)', (path, value) => {
    expect(at(config('paper-imagenet'), path)).toBe(value);
  });

  it('numClusters 25000, 50000, 100000 (main_pcl.py:99 --num-cluster default)', () => {
    expect(config('paper-imagenet').method.numClusters).toEqual([25_000, 50_000, 100_000]);
  });
});
