/**
 * The kNN bank of a run: at ImageNet size the bank of every training image's
 * backbone features (1.28M x 2048 float32, 10 GB) does not fit on a device,
 * so ImageNet presets cap it per class (`eval.knnBankPerClass`, 100: 100,000
 * images for ImageNet's 1,000 classes, 0.8 GB of ResNet-50 features; 10,000
 * for ImageNet-100). Each class's images are drawn with a seeded shuffle.
 */
import { argumentError, assertInteger, createRng } from '@contrastive/core';
import { subsetDataset, type Dataset } from '@contrastive/data';

/** Seed offset of the bank draw (apart from the other seeded subsets of a run). */
const BANK_SEED_OFFSET = 7;

/**
 * At most `perClass` images of each class of `dataset`, chosen per class
 * (classes in label order, each class's members shuffled by one generator
 * seeded with `seed`), returned in dataset order. Unlabelled images (-1)
 * cannot vote and are left out. `perClass` undefined: `dataset` itself.
 */
export async function perClassBank(dataset: Dataset, perClass: number | undefined, seed: number): Promise<Dataset> {
  const fn = 'perClassBank';
  if (perClass === undefined) return dataset;
  assertInteger(fn, 'perClass', perClass, 1);
  assertInteger(fn, 'seed', seed);
  const labels = await dataset.labels();
  const byClass = new Map<number, number[]>();
  labels.forEach((label, i) => {
    if (label >= 0) (byClass.get(label) ?? byClass.set(label, []).get(label)!).push(i);
  });
  if (byClass.size === 0) throw argumentError('INVALID_ARGUMENT', fn, 'dataset', 'labelled images', `${dataset.length} unlabelled`);
  const rng = createRng(seed + BANK_SEED_OFFSET);
  const chosen: number[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(label)!;
    if (members.length <= perClass) chosen.push(...members);
    else chosen.push(...rng.shuffle(members).slice(0, perClass));
  }
  if (chosen.length === dataset.length) return dataset;
  chosen.sort((a, b) => a - b);
  return subsetDataset(dataset, chosen, `${dataset.name}[${perClass}/class]`);
}
