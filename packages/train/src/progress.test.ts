import { describe, expect, it } from 'vitest';
import { isContrastiveError } from '@contrastive/core';
import { createProgress, formatDuration, type ProgressStream } from './index';

function sink(isTTY: boolean): ProgressStream & { text: string } {
  const s = {
    text: '',
    isTTY,
    columns: 120,
    write(chunk: string) {
      s.text += chunk;
      return true;
    },
    // Terminal methods cli-progress may call on a TTY stream.
    cursorTo() {
      return true;
    },
    clearLine() {
      return true;
    },
    moveCursor() {
      return true;
    },
    on() {
      return s;
    },
    removeListener() {
      return s;
    },
  };
  return s;
}

describe('createProgress', () => {
  it('writes readable periodic lines when stdout is not a TTY', () => {
    const out = sink(false);
    let clock = 1_000;
    const p = createProgress({ total: 100, label: 'epoch 1/3', stream: out, plainIntervalMs: 5_000, now: () => clock });
    for (let i = 1; i <= 100; i++) {
      clock += 200; // 5 it/s
      p.increment({ loss: 4 - i / 50, lr: 0.03 });
    }
    p.stop();
    const lines = out.text.trimEnd().split('\n');
    // No terminal control characters, one line every 5 s (25 iterations), the final 100/100, and a summary.
    expect(out.text).not.toMatch(/\x1b|\r/);
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe('epoch 1/3 1/100 (1%) | 5.00 it/s | ETA 20s | loss 3.9800 | lr 0.0300');
    expect(lines[1]).toBe('epoch 1/3 26/100 (26%) | 5.00 it/s | ETA 15s | loss 3.4800 | lr 0.0300');
    expect(lines[4]).toBe('epoch 1/3 100/100 (100%) | 5.00 it/s | ETA 0s | loss 2.0000 | lr 0.0300');
    expect(lines[5]).toBe('epoch 1/3 100/100 (100%) | 5.00 it/s | took 20s | loss 2.0000 | lr 0.0300');
    p.stop();
    expect(out.text.trimEnd().split('\n')).toHaveLength(6);
  });

  it('draws a cli-progress bar with rate, ETA and loss on a TTY', () => {
    const out = sink(true);
    let clock = 0;
    const p = createProgress({ total: 10, label: 'train', stream: out, now: () => clock });
    for (let i = 1; i <= 10; i++) {
      clock += 500;
      p.update(i, { loss: 1 / i });
    }
    p.stop();
    expect(out.text).toContain('train');
    expect(out.text).toContain('100% | 10/10 | 2.00 it/s');
    expect(out.text).toContain('loss 0.1000');
  });

  it('formats durations and rejects a bad total', () => {
    expect([formatDuration(42.4), formatDuration(185), formatDuration(3720), formatDuration(Number.NaN)]).toEqual(['42s', '3m05s', '1h02m', '--']);
    let err: unknown;
    try {
      createProgress({ total: 0 });
    } catch (e) {
      err = e;
    }
    expect(isContrastiveError(err, 'OUT_OF_RANGE') && err.argument).toBe('total');
  });
});
