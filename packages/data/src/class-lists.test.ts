import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, tempDir, writeFile } from './__fixtures__/formats';
import { CLASS_LIST_NAMES, IMAGENET100, classListPath, loadImageFolder, readClassList } from './index';

describe('shipped class lists', () => {
  it('imagenet100 is CMC\'s list: 100 distinct WordNet ids, its source cited in the file', async () => {
    expect(CLASS_LIST_NAMES).toEqual(['imagenet100']);
    const wnids = await readClassList(IMAGENET100);
    expect(wnids).toHaveLength(100);
    expect(new Set(wnids).size).toBe(100);
    for (const id of wnids) expect(id).toMatch(/^n\d{8}$/);
    // First and last ids of CMC's imagenet100.txt, in its order.
    expect([wnids[0], wnids[99]]).toEqual(['n02869837', 'n02090622']);
    const text = readFileSync(classListPath(IMAGENET100), 'utf8');
    expect(text).toContain('HobbitLong/CMC');
    await expectError(readClassList('imagenet1k' as typeof IMAGENET100), 'UNKNOWN_NAME');
  });

  describe('restricting an ImageFolder', () => {
    let tmp: ReturnType<typeof tempDir>;
    beforeAll(async () => {
      tmp = tempDir('classes');
      const image = await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toBuffer();
      // Every ImageNet-100 class plus two classes outside it, as in an ILSVRC-2012 train folder.
      for (const wnid of [...(await readClassList(IMAGENET100)), 'n01440764', 'n15075141']) writeFile(join(tmp.dir, wnid, 'x.png'), image);
    });
    afterAll(() => tmp.cleanup());

    it('by shipped name, by array, or by file; label k is the k-th listed class', async () => {
      const all = await loadImageFolder(tmp.dir, { size: 4 });
      expect(all.numClasses).toBe(102);
      const in100 = await loadImageFolder(tmp.dir, { size: 4, classList: 'imagenet100' });
      expect(in100.numClasses).toBe(100);
      expect(in100.length).toBe(100);
      expect(in100.classNames).toEqual(await readClassList(IMAGENET100));
      expect(in100.classNames).not.toContain('n01440764');
      expect(in100.files[0]).toBe(join(tmp.dir, 'n02869837', 'x.png'));
      const picked = await loadImageFolder(tmp.dir, { size: 4, classList: ['n15075141', 'n01440764'] });
      expect(picked.classNames).toEqual(['n15075141', 'n01440764']);
      expect(Array.from(await picked.labels())).toEqual([0, 1]);
      await expectError(loadImageFolder(tmp.dir, { classList: ['n01440764', 'n01440764'] }), 'INVALID_ARGUMENT');
      await expectError(loadImageFolder(tmp.dir, { classList: [] }), 'INVALID_ARGUMENT');
      await expectError(loadImageFolder(tmp.dir, { classList: ['n00000000'] }), 'NOT_FOUND');
    });
  });
});
