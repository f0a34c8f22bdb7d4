export {
  dystressTemperature,
  DYSTRESS_TEMPERATURE_DEFAULTS,
} from './dystress-temperature';
export type { DystressTemperatureOptions } from './dystress-temperature';
export { dystressLoss, DYSTRESS_LOSS_DEFAULTS } from './dystress-loss';
export type { DystressLossOptions } from './dystress-loss';
export { dystressDclLoss, DYSTRESS_DCL_LOSS_DEFAULTS } from './dystress-dcl-loss';
