/**
 * The page: picks the backend (webgpu, webgl, wasm, cpu: the first that
 * starts; `?backend=` asks for one), says which it got, and runs the job with
 * a live loss curve, the kNN table and the embedding scatter. `?autorun=0`
 * only prepares the page (the browser tests drive it through
 * `window.contrastiveWeb`); `?steps=` and `?batch=` shorten the run.
 */
import { BROWSER_BACKEND_REQUESTS, setBrowserBackend, type BrowserBackendRequest } from '@contrastive/backend/browser';
import { REDUCED_FROM_DEFAULT, WEB_JOB, type JobOverrides } from './job';
import { createLossChart } from './loss-chart';
import { renderKnnTable } from './knn-table';
import { exposePageApi } from './page-api';
import { runJob } from './run-job';
import { drawScatter } from './scatter-chart';
import { WASM_PATHS } from './wasm-paths';

const byId = (id: string) => document.getElementById(id)!;

function overridesFromUrl(params: URLSearchParams): JobOverrides {
  const positive = (name: string) => {
    const value = Number(params.get(name));
    return Number.isInteger(value) && value > 0 ? value : undefined;
  };
  return { maxSteps: positive('steps'), batchSize: positive('batch') };
}

function describeReduction(): string {
  const changed = Object.entries(REDUCED_FROM_DEFAULT).map(([path, from]) => {
    const [group, key] = path.split('.') as [keyof typeof WEB_JOB, string];
    return `${path} ${from.toLocaleString('en')} → ${(WEB_JOB[group] as Record<string, number>)[key]!.toLocaleString('en')}`;
  });
  return `${changed.join(', ')}; every other setting is the default job's.`;
}

export async function startBackend(request: BrowserBackendRequest) {
  const choice = await setBrowserBackend(request, { wasmPaths: WASM_PATHS });
  byId('backend').textContent = `Backend: ${choice.backend} (${choice.device.description}). ${choice.reason === choice.backend ? '' : `Why: ${choice.reason}.`}`;
  byId('backend').dataset['backend'] = choice.backend;
  return choice;
}

export async function runPage(overrides: JobOverrides) {
  const chart = await createLossChart(byId('loss-chart'));
  return runJob(WEB_JOB, overrides, {
    status: (text) => (byId('status').textContent = text),
    loss: (logged) => chart.add(logged),
    knn: (scores) => renderKnnTable(byId('knn'), scores),
    scatter: (points) => drawScatter(byId('scatter'), points),
  });
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  byId('reduction').textContent = describeReduction();
  renderKnnTable(byId('knn'), {});
  const requested = params.get('backend') ?? 'auto';
  const request = (BROWSER_BACKEND_REQUESTS as readonly string[]).includes(requested) ? (requested as BrowserBackendRequest) : 'auto';
  exposePageApi({ startBackend, runPage });
  await startBackend(request);
  if (params.get('autorun') === '0') {
    byId('status').textContent = 'Ready (autorun=0).';
    return;
  }
  await runPage(overridesFromUrl(params));
}

main().catch((error: unknown) => {
  byId('status').textContent = `Failed: ${error instanceof Error ? error.message : String(error)}`;
  console.error(error);
});
