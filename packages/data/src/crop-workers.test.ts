import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createCropWorkers, type CropJob } from './crop-workers';
import { pilResizedCrop } from './pil-resample';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');

function job(seed: number): CropJob {
  const height = 37;
  const width = 53;
  const pixels = new Uint8Array(height * width * 3).map((_, i) => (i * 2654435761 + seed * 97) >>> 24);
  const boxes = [
    { top: seed % 5, left: seed % 7, height: 20 + (seed % 11), width: 31 },
    { top: 3, left: 9, height: 9, width: 13 + (seed % 3) },
  ];
  return { pixels, height, width, boxes, size: [16, 18], filter: seed % 3 === 0 ? 'linear' : seed % 3 === 1 ? 'cubic' : 'lanczos3' };
}

function expected(j: CropJob): Uint8Array {
  const [h, w] = j.size;
  const out = new Uint8Array(j.boxes.length * h * w * 3);
  j.boxes.forEach((box, v) => pilResizedCrop(j.pixels, j.width, box, h, w, j.filter, out, v * h * w * 3));
  return out;
}

describe('crop workers', () => {
  it('cut the same bytes as pilResizedCrop on the calling thread, many jobs at once, in order of the jobs', async () => {
    const workers = createCropWorkers(2);
    const inline = createCropWorkers(0);
    const jobs = Array.from({ length: 12 }, (_, k) => job(k));
    const [pooled, local] = await Promise.all([Promise.all(jobs.map((j) => workers.crop(j))), Promise.all(jobs.map((j) => inline.crop(j)))]);
    jobs.forEach((j, k) => {
      expect(Array.from(pooled[k]!)).toEqual(Array.from(expected(j)));
      expect(Array.from(local[k]!)).toEqual(Array.from(expected(j)));
    });
    // Node 20 has WebAssembly SIMD: both cut with pil-resample.wat.
    expect([workers.engine(), inline.engine()]).toEqual(['wasm', 'wasm']);
  });

  it('a box outside the image rejects that job with the reason; the pool goes on working', async () => {
    const workers = createCropWorkers(1);
    const bad = { ...job(1), boxes: [{ top: 30, left: 0, height: 10, width: 10 }] };
    await expect(workers.crop(bad)).rejects.toThrow(/crop box 30,0,10,10 .*outside the 37x53 image/);
    await expect(createCropWorkers(0).crop(bad)).rejects.toThrow(/outside the 37x53 image/);
    const good = job(4);
    expect(Array.from(await workers.crop(good))).toEqual(Array.from(expected(good)));
  });

  it('workers start in a program whose code is an ES module by --input-type=module (their code inherits it)', () => {
    const program = [
      `import { createCropWorkers } from ${JSON.stringify(join(here, 'crop-workers.ts'))};`,
      'const workers = createCropWorkers(1);',
      "await workers.crop({ pixels: new Uint8Array(48), height: 4, width: 4, boxes: [{ top: 0, left: 0, height: 4, width: 4 }], size: [2, 2], filter: 'linear' });",
      'console.log(workers.engine());',
    ].join('\n');
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], { cwd: packageDir, encoding: 'utf8', timeout: 120_000 });
    expect(child.status, child.stderr).toBe(0);
    expect(child.stderr).not.toMatch(/crop workers unavailable/);
    expect(child.stdout.trim()).toBe('wasm');
  }, 150_000);

  it('a process that cuts views and returns ends by itself (idle workers do not keep it alive)', () => {
    const started = Date.now();
    const child = spawnSync(
      process.execPath,
      [join(packageDir, '../../node_modules/vite-node/vite-node.mjs'), '-c', join(packageDir, 'vitest.config.ts'), join(here, '__fixtures__/crop-and-exit.ts')],
      // A few seconds on an idle machine; the limit only catches a process that never ends.
      { cwd: packageDir, encoding: 'utf8', timeout: 120_000 },
    );
    expect(child.error, `${Date.now() - started} ms; stderr: ${child.stderr}`).toBeUndefined();
    expect(child.status, child.stderr).toBe(0);
    const firstBytes = JSON.parse(child.stdout.trim().split('\n').pop() as string) as number[][];
    expect(firstBytes).toHaveLength(3);
    expect(child.stderr).not.toMatch(/crop workers unavailable/);
  }, 150_000);
});
