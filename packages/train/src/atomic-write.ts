/**
 * Crash-safe file writes: write to a temporary sibling, flush it to disk, then
 * rename over the target (rename is atomic on POSIX file systems), so a reader
 * sees either the old or the new content, never a torn file.
 */
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let counter = 0;

/** A unique temporary name beside `path` (hidden, so listings ignore it). */
export function temporarySibling(path: string): string {
  counter += 1;
  return join(dirname(path), `.tmp-${basename(path)}-${process.pid}-${Date.now()}-${counter}`);
}

/** Writes `data` to `path` with fsync, without ever leaving `path` half-written. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = temporarySibling(path);
  try {
    await writeFileSynced(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    // A failed write or rename leaves no hidden half-written sibling behind.
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

/** Writes and fsyncs a file (no rename). */
export async function writeFileSynced(path: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
