/** Every app the CLI can train, by name. */
import type { AppDefinition } from '@contrastive/app-kit';
import { simclrApp } from '@contrastive/app-simclr';
import { mocoApp } from '@contrastive/app-moco';
import { pclApp } from '@contrastive/app-pcl';
import { paucApp } from '@contrastive/app-pauc';
import { dystressApp } from '@contrastive/app-dystress';
import { cctApp } from '@contrastive/app-cct';
import { eqcoApp } from '@contrastive/app-eqco';

export const APPS: Readonly<Record<string, AppDefinition>> = Object.freeze({
  simclr: simclrApp as unknown as AppDefinition,
  moco: mocoApp as unknown as AppDefinition,
  pcl: pclApp as unknown as AppDefinition,
  pauc: paucApp as unknown as AppDefinition,
  dystress: dystressApp as unknown as AppDefinition,
  cct: cctApp as unknown as AppDefinition,
  eqco: eqcoApp as unknown as AppDefinition,
});
