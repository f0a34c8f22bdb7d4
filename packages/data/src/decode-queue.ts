/**
 * A first-in first-out queue of decode jobs with at most `limit` running at
 * once. An ImageFolder puts a whole batch in at once (so the thread pool
 * never waits for JavaScript to hand out the next image), jobs start in the
 * order they were queued (an earlier batch finishes first), and at most
 * `limit` decoded images exist at a time, whatever the read-ahead.
 */

/** Counters of a {@link DecodeQueue}. */
export interface DecodeQueueStats {
  /** Jobs running now. */
  readonly running: number;
  /** Jobs waiting for a slot. */
  readonly waiting: number;
  /** Most jobs ever running at once. */
  readonly peakRunning: number;
}

export interface DecodeQueue {
  readonly limit: number;
  /** Runs `job` when a slot is free; settles as the job does. */
  run<T>(job: () => Promise<T>): Promise<T>;
  stats(): DecodeQueueStats;
}

/** A queue running at most `limit` (>= 1) jobs at once. */
export function createDecodeQueue(limit: number): DecodeQueue {
  const waiting: (() => void)[] = [];
  let running = 0;
  let peakRunning = 0;
  const release = (): void => {
    running--;
    const next = waiting.shift();
    if (next !== undefined) next();
  };
  const run = <T>(job: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const start = (): void => {
        running++;
        peakRunning = Math.max(peakRunning, running);
        let result: Promise<T>;
        try {
          result = job();
        } catch (error) {
          result = Promise.reject(error);
        }
        result.then(resolve, reject).finally(release);
      };
      if (running < limit) start();
      else waiting.push(start);
    });
  return { limit, run, stats: () => ({ running, waiting: waiting.length, peakRunning }) };
}
