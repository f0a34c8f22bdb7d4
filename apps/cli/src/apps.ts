/** Every app the CLI can train, by name. */
import type { AppDefinition } from '@contrastive/app-kit';
import { simclrApp } from '@contrastive/app-simclr';

export const APPS: Readonly<Record<string, AppDefinition>> = Object.freeze({
  simclr: simclrApp as unknown as AppDefinition,
});
