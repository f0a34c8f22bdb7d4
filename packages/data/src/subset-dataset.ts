/** A view of some of a dataset's images (a split, or a small subset for smoke runs). */
import { argumentError } from '@contrastive/core';
import { checkIndices } from './errors';
import type { Dataset, ImageBatch, ViewBatch, ViewDataset, ViewRequest } from './types';

/**
 * The images of `dataset` at `indices`, in that order: index i of the subset
 * is `indices[i]` of the parent. Returned `ImageBatch.indices` are subset
 * indices. `indices` is copied. A parent that decodes views (an ImageFolder)
 * gives a subset that does too, with the parent's crops of each image.
 */
export function subsetDataset<D extends Dataset>(dataset: D, indices: ArrayLike<number>, name?: string): D extends ViewDataset ? ViewDataset : Dataset;
export function subsetDataset(dataset: Dataset, indices: ArrayLike<number>, name?: string): Dataset | ViewDataset {
  const fn = 'subsetDataset';
  checkIndices(fn, indices, dataset.length);
  const map = Int32Array.from(indices);
  if (map.length === 0) throw argumentError('INVALID_ARGUMENT', fn, 'indices', 'non-empty', 'an empty list');
  const subsetName = name ?? `${dataset.name}[subset ${map.length}]`;
  /** Reads `request` (subset indices) from the parent with `read`, mapping returned indices back. */
  const viaParent = async <B extends ImageBatch>(getFn: string, request: ArrayLike<number>, read: (parent: Int32Array) => Promise<B>): Promise<B> => {
    checkIndices(getFn, request, map.length);
    const parent = Int32Array.from(request, (i) => map[i]!);
    const batch = await read(parent);
    // Map returned parent indices back (some may be skipped by the parent).
    const back = new Map<number, number>();
    for (let i = 0; i < request.length; i++) back.set(parent[i]!, request[i]!);
    return { ...batch, indices: Int32Array.from(batch.indices, (p) => back.get(p)!) };
  };
  const views = (dataset as Partial<ViewDataset>).getViews?.bind(dataset);
  return {
    name: subsetName,
    length: map.length,
    numClasses: dataset.numClasses,
    classNames: dataset.classNames,
    imageShape: dataset.imageShape,
    get: (request: ArrayLike<number>): Promise<ImageBatch> => viaParent(`${subsetName}.get`, request, (parent) => dataset.get(parent)),
    ...(views === undefined
      ? {}
      : {
          getViews: (request: ArrayLike<number>, crop: ViewRequest): Promise<ViewBatch> =>
            viaParent(`${subsetName}.getViews`, request, (parent) => views(parent, crop)),
        }),
    async labels(): Promise<Int32Array> {
      const all = await dataset.labels();
      return Int32Array.from(map, (i) => all[i]!);
    },
  };
}
