/** Reading of plain-text name lists (class names, class-list files). */
import { readFile, stat } from 'node:fs/promises';

/** True when `path` exists (file or folder). */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Names in a text file, one per line: the first whitespace-separated token of
 * each line; blank lines and lines starting with `#` are ignored.
 */
export function parseNameList(text: string): string[] {
  const names: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    names.push(line.split(/\s+/)[0]!);
  }
  return names;
}

/**
 * Class names from `path` when that file exists and lists exactly
 * `fallback.length` names, else `fallback`.
 */
export async function namesOrDefault(path: string, fallback: readonly string[]): Promise<readonly string[]> {
  if (!(await exists(path))) return fallback;
  const names = parseNameList(await readFile(path, 'utf8'));
  return names.length === fallback.length ? names : fallback;
}
