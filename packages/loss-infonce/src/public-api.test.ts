import { describe, expect, it } from 'vitest';
import * as api from './index';

describe('@contrastive/loss-infonce public API', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(api).sort()).toEqual([
      'DCL_DEFAULTS',
      'INFO_NCE_DEFAULTS',
      'MASK_MARGIN',
      'NT_XENT_DEFAULTS',
      'NT_XENT_REDUCTIONS',
      'dclLoss',
      'infoNceLoss',
      'logSumExpRows',
      'logSumExpWithFirst',
      'maskLogits',
      'ntXentLogits',
      'ntXentLoss',
    ]);
  });
});
