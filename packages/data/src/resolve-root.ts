/** Finding a dataset's folder. */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { notFoundError } from './errors';
import { exists } from './name-file';

/**
 * Returns `root/<sub>` when that folder exists (the folder the official
 * archive extracts to), else `root`. `NOT_FOUND` when `root` is not a folder.
 */
export async function resolveRoot(fn: string, root: string, subfolder?: string): Promise<string> {
  let isDir = false;
  try {
    isDir = (await stat(root)).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw notFoundError(fn, 'root', 'an existing folder', root);
  if (subfolder !== undefined && (await exists(join(root, subfolder)))) return join(root, subfolder);
  return root;
}
