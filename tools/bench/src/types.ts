/** A benchmark case. Each file in src/cases exports `cases: BenchCase[]`. */
export interface BenchCase {
  /** Unique name, `group/what`, e.g. `train-step/convnet-3`. */
  name: string;
  /** One line: what one timed run does. */
  description: string;
  /** Backends to measure on. Default ['wasm']. */
  backends?: readonly BenchBackend[];
  /**
   * Builds inputs on the active backend and returns the timed function.
   * `run` must finish its device work before resolving (read back a value).
   */
  setup(backend: BenchBackend): Promise<PreparedCase>;
  /** Timed runs after warm-up. Default 5. */
  repeats?: number;
  /** Untimed warm-up runs. Default 1. */
  warmup?: number;
  /**
   * The matching PyTorch reference: a script in tools/bench/reference, its
   * arguments and its threads (`torch.set_num_threads`; default 1).
   */
  torch?: { script: string; args?: string[]; threads?: number };
  /**
   * XNNPACK threads of the wasm backend (`setBackend(backend, { threads })`).
   * Default 1, so that ratios compare like with like against one PyTorch thread.
   */
  threads?: number;
  /** Items processed per run, for a throughput column (e.g. 256 images). */
  items?: { count: number; unit: string };
}

export type BenchBackend = 'wasm' | 'cpu' | 'tensorflow' | 'webgpu';

export interface PreparedCase {
  run(): Promise<void>;
  /** Counts measured during the timed runs (e.g. host reads per step), for the report. */
  counters?(): Record<string, number>;
  dispose(): void;
}

export interface BenchResult {
  name: string;
  description: string;
  backend: BenchBackend;
  /** Median seconds per run. */
  seconds: number;
  /** All timed runs, seconds. */
  runs: number[];
  /** PyTorch's median seconds per run, when measured. */
  torchSeconds?: number;
  /** PyTorch's threads (1 unless the case says otherwise). */
  torchThreads?: number;
  /** XNNPACK threads of the wasm backend (1 unless the case says otherwise). */
  threads?: number;
  /** seconds / torchSeconds. */
  ratio?: number;
  itemsPerSecond?: number;
  torchItemsPerSecond?: number;
  unit?: string;
  /** The case's counters ({@link PreparedCase.counters}). */
  counters?: Record<string, number>;
  error?: string;
}
