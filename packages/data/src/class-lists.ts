/**
 * Class lists shipped with the package (files under `data/`), usable by name
 * as an ImageFolder `classList`.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { assertOneOf } from '@contrastive/core';
import { parseNameList } from './name-file';

/** Names of the shipped class lists. */
export const CLASS_LIST_NAMES = Object.freeze(['imagenet100'] as const);
export type ClassListName = (typeof CLASS_LIST_NAMES)[number];

/**
 * ImageNet-100: the 100 ILSVRC-2012 WordNet ids of CMC (Tian et al., 2019;
 * file `imagenet100.txt` of the CMC repository), used by PCL, DySTreSS and
 * PAUC for their ImageNet-100 results. The name of `data/imagenet100.txt`.
 */
export const IMAGENET100: ClassListName = 'imagenet100';

/** True for a name of {@link CLASS_LIST_NAMES}. */
export function isClassListName(value: string): value is ClassListName {
  return (CLASS_LIST_NAMES as readonly string[]).includes(value);
}

/** Absolute path of a shipped class list (the same from the sources and the build). */
export function classListPath(name: ClassListName): string {
  return fileURLToPath(new URL(`../data/${name}.txt`, import.meta.url));
}

/** The classes of a shipped list, in file order. */
export async function readClassList(name: ClassListName): Promise<string[]> {
  assertOneOf('readClassList', 'name', name, CLASS_LIST_NAMES);
  return parseNameList(await readFile(classListPath(name), 'utf8'));
}
