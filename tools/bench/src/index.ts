export type { BenchBackend, BenchCase, BenchResult, PreparedCase } from './types';
export { median, timeRuns } from './timing';
export { runTorch, torchAvailable } from './torch';
export { toMarkdown } from './report';
