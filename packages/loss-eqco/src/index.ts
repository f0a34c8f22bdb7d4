export { eqcoLoss, EQCO_LOSS_DEFAULTS } from './eqco-loss';
export type { EqcoLossOptions } from './eqco-loss';
export { simoLoss, SIMO_LOSS_DEFAULTS } from './simo-loss';
export type { SimoLossOptions } from './simo-loss';
