/** A view of some of a dataset's images (a split, or a small subset for smoke runs). */
import { argumentError } from '@contrastive/core';
import { checkIndices } from './errors';
import type { Dataset, ImageBatch } from './types';

/**
 * The images of `dataset` at `indices`, in that order: index i of the subset
 * is `indices[i]` of the parent. Returned `ImageBatch.indices` are subset
 * indices. `indices` is copied.
 */
export function subsetDataset(dataset: Dataset, indices: ArrayLike<number>, name?: string): Dataset {
  const fn = 'subsetDataset';
  checkIndices(fn, indices, dataset.length);
  const map = Int32Array.from(indices);
  if (map.length === 0) throw argumentError('INVALID_ARGUMENT', fn, 'indices', 'non-empty', 'an empty list');
  const subsetName = name ?? `${dataset.name}[subset ${map.length}]`;
  return {
    name: subsetName,
    length: map.length,
    numClasses: dataset.numClasses,
    classNames: dataset.classNames,
    imageShape: dataset.imageShape,
    async get(request: ArrayLike<number>): Promise<ImageBatch> {
      checkIndices(`${subsetName}.get`, request, map.length);
      const parent = Int32Array.from(request, (i) => map[i]!);
      const batch = await dataset.get(parent);
      // Map returned parent indices back (some may be skipped by the parent).
      const back = new Map<number, number>();
      for (let i = 0; i < request.length; i++) back.set(parent[i]!, request[i]!);
      return { ...batch, indices: Int32Array.from(batch.indices, (p) => back.get(p)!) };
    },
    async labels(): Promise<Int32Array> {
      const all = await dataset.labels();
      return Int32Array.from(map, (i) => all[i]!);
    },
  };
}
