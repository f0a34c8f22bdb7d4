/**
 * Writers of small files in the official dataset formats, for tests. Pixel
 * values follow {@link pixelValue}, so a test can check any pixel of any
 * image after the layout conversion.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'vitest';
import { ContrastiveError } from '@contrastive/core';

/** Known value of pixel (y, x, c) of image n. */
export function pixelValue(n: number, y: number, x: number, c: number): number {
  return (n * 31 + y * 7 + x * 3 + c * 101) % 256;
}

/** A fresh temporary folder and its cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `contrastive-data-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** CIFAR records (label bytes then planar 32x32x3 pixels) for images first..first+count-1. */
export function cifarRecords(first: number, count: number, labelBytes: (n: number) => number[]): Uint8Array {
  const lb = labelBytes(0).length;
  const rec = lb + 3072;
  const out = new Uint8Array(count * rec);
  for (let k = 0; k < count; k++) {
    const n = first + k;
    out.set(labelBytes(n), k * rec);
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 32; y++)
        for (let x = 0; x < 32; x++) out[k * rec + lb + c * 1024 + y * 32 + x] = pixelValue(n, y, x, c);
  }
  return out;
}

/** STL-10 X bytes (column-major planes, 96x96x3) for images first..first+count-1. */
export function stlImages(first: number, count: number): Uint8Array {
  const rec = 96 * 96 * 3;
  const out = new Uint8Array(count * rec);
  for (let k = 0; k < count; k++)
    for (let c = 0; c < 3; c++)
      for (let x = 0; x < 96; x++)
        for (let y = 0; y < 96; y++) out[k * rec + c * 9216 + x * 96 + y] = pixelValue(first + k, y, x, c);
  return out;
}

/** An IDX file: magic 00 00 08 <rank>, big-endian dims, uint8 data. */
export function idxBytes(dims: number[], data: Uint8Array, typeByte = 0x08): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header.set([0, 0, typeByte, dims.length]);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

/** Writes MNIST-named IDX files (images [n,28,28], labels n%10) into `dir`. */
export function writeMnist(dir: string, prefix: 'train' | 't10k', n: number, gzip: boolean): void {
  const images = new Uint8Array(n * 784);
  for (let k = 0; k < n; k++)
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) images[k * 784 + y * 28 + x] = pixelValue(k, y, x, 0);
  const labels = Uint8Array.from({ length: n }, (_, k) => k % 10);
  const write = (name: string, bytes: Uint8Array): void =>
    writeFileSync(join(dir, gzip ? `${name}.gz` : name), gzip ? gzipSync(bytes) : bytes);
  write(`${prefix}-images-idx3-ubyte`, idxBytes([n, 28, 28], images));
  write(`${prefix}-labels-idx1-ubyte`, idxBytes([n], labels));
}

/** Writes bytes, creating parent folders. */
export function writeFile(path: string, bytes: Uint8Array | string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, bytes);
}

/** Awaits `promise`, expects a ContrastiveError with `code`, returns it. */
export async function expectError(promise: Promise<unknown>, code: string): Promise<ContrastiveError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ContrastiveError);
    expect((error as ContrastiveError).code).toBe(code);
    return error as ContrastiveError;
  }
  throw new Error(`expected a ContrastiveError ${code}`);
}
