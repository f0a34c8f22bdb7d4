/**
 * A progress display for long loops: a cli-progress bar with rate, ETA and the
 * latest loss on a terminal, and plain, periodic, self-contained lines when the
 * output is not a TTY (CI logs, pipes, files), where a redrawn bar would be noise.
 */
import { SingleBar } from 'cli-progress';
import { assertInteger, assertPositive } from '@contrastive/core';

/** Output stream of a {@link Progress}. */
export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Number of units (iterations) to reach. */
  total: number;
  /** Prefix, e.g. `epoch 3/200`. Default `''`. */
  label?: string;
  /** Where to write. Default `process.stdout`. */
  stream?: ProgressStream;
  /** Draw a bar (true) or plain lines (false). Default `stream.isTTY === true`. */
  tty?: boolean;
  /** Minimum time between two plain lines in ms. Default 10 000. */
  plainIntervalMs?: number;
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
}

/** Defaults of {@link createProgress}. */
export const PROGRESS_DEFAULTS = Object.freeze({ label: '', plainIntervalMs: 10_000 });

/** Values shown beside the count; `loss` is printed with 4 decimals. */
export type ProgressPayload = Record<string, number | string>;

/** A running progress display. */
export interface Progress {
  /** Sets the count and optional values (e.g. `{ loss }`). */
  update(value: number, payload?: ProgressPayload): void;
  /** Adds `step` (default 1) to the count. */
  increment(payload?: ProgressPayload, step?: number): void;
  /** Final line (plain) or final bar render; idempotent. */
  stop(): void;
}

/** `42s`, `3m05s`, `1h02m`; `--` when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toFixed(4);
}

function formatPayload(payload: ProgressPayload): string {
  return Object.entries(payload)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? formatNumber(v) : v}`)
    .join(' | ');
}

/** Starts a progress display at 0. */
export function createProgress(options: ProgressOptions): Progress {
  const fn = 'createProgress';
  assertInteger(fn, 'total', options.total, 1);
  const label = options.label ?? PROGRESS_DEFAULTS.label;
  const stream = options.stream ?? process.stdout;
  const tty = options.tty ?? stream.isTTY === true;
  const interval = options.plainIntervalMs ?? PROGRESS_DEFAULTS.plainIntervalMs;
  assertPositive(fn, 'plainIntervalMs', interval);
  const now = options.now ?? Date.now;
  const total = options.total;
  const start = now();
  let value = 0;
  let payload: ProgressPayload = {};
  let lastLine = -Infinity;
  let stopped = false;

  const stats = (): { rate: number; eta: number; elapsed: number } => {
    const elapsed = (now() - start) / 1000;
    const rate = elapsed > 0 ? value / elapsed : Number.NaN;
    return { rate, eta: rate > 0 ? (total - value) / rate : Number.NaN, elapsed };
  };

  const plainLine = (final: boolean): string => {
    const { rate, eta, elapsed } = stats();
    const pct = Math.floor((100 * value) / total);
    const parts = [
      `${label ? `${label} ` : ''}${value}/${total} (${pct}%)`,
      `${Number.isFinite(rate) ? rate.toFixed(2) : '--'} it/s`,
      final ? `took ${formatDuration(elapsed)}` : `ETA ${formatDuration(eta)}`,
    ];
    const extra = formatPayload(payload);
    return `${[...parts, ...(extra ? [extra] : [])].join(' | ')}\n`;
  };

  let bar: SingleBar | null = null;
  const barPayload = (): Record<string, string> => {
    const { rate, eta } = stats();
    return { label, rate: Number.isFinite(rate) ? rate.toFixed(2) : '--', etaText: formatDuration(eta), extra: formatPayload(payload) };
  };
  if (tty) {
    bar = new SingleBar({
      stream: stream as unknown as NodeJS.WritableStream,
      format: '{label} {bar} {percentage}% | {value}/{total} | {rate} it/s | ETA {etaText} | {extra}',
      hideCursor: false,
      clearOnComplete: false,
      barsize: 24,
    });
    bar.start(total, 0, barPayload());
  }

  const self: Progress = {
    update(next, p) {
      if (stopped) return;
      value = Math.min(Math.max(next, 0), total);
      if (p) payload = { ...payload, ...p };
      if (bar) {
        bar.update(value, barPayload());
        return;
      }
      const t = now();
      if (t - lastLine >= interval || value === total) {
        lastLine = t;
        stream.write(plainLine(false));
      }
    },
    increment(p, step = 1) {
      self.update(value + step, p);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (bar) {
        bar.update(value, barPayload());
        bar.stop();
      } else {
        stream.write(plainLine(true));
      }
    },
  };
  return self;
}
