import { describe, expect, it } from 'vitest';
import { median, timeRuns } from './timing';
import { toMarkdown } from './report';

describe('bench harness', () => {
  it('takes medians of odd and even lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
  it('runs warm-ups untimed and returns one time per repeat', async () => {
    let calls = 0;
    const runs = await timeRuns({ run: async () => { calls++; }, dispose: () => {} }, 2, 3);
    expect(calls).toBe(5);
    expect(runs).toHaveLength(3);
  });
  it('prints the ratio to PyTorch', () => {
    const md = toMarkdown([{ name: 'x', description: '', backend: 'wasm', seconds: 0.2, runs: [0.2], torchSeconds: 0.1, ratio: 2 }], '# t');
    expect(md).toContain('| x | wasm | 200.0 | 100.0 | 2.00x |');
  });
});
