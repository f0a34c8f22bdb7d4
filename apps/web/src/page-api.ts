/**
 * What the page offers a test driving it (playwright's `page.evaluate`):
 * `window.contrastiveWeb`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BrowserBackendChoice, BrowserBackendRequest } from '@contrastive/backend/browser';
import type { JobOverrides } from './job';
import { lossesOnActiveBackend, type LossOutcome } from './loss-parity';
import type { JobResult } from './run-job';

export interface PageApi {
  /** Activates a backend as the page does; resolves to what it got. */
  startBackend(request: BrowserBackendRequest): Promise<BrowserBackendChoice>;
  /** Runs the page's job (charts and table included) on the active backend. */
  runPage(overrides: JobOverrides): Promise<JobResult>;
  /** Every loss family's value and gradients on the active backend. */
  losses(): Promise<Record<string, LossOutcome>>;
  /** The active backend's name. */
  backend(): string;
}

declare global {
  interface Window {
    contrastiveWeb?: PageApi;
  }
}

export function exposePageApi(parts: Pick<PageApi, 'startBackend' | 'runPage'>): void {
  window.contrastiveWeb = { ...parts, losses: () => lossesOnActiveBackend(), backend: () => tf.getBackend() };
}
