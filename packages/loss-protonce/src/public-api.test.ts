import { describe, expect, it } from 'vitest';
import * as api from './index';

describe('@contrastive/loss-protonce public API', () => {
  it('exports exactly these names, with frozen defaults', () => {
    expect(Object.keys(api).sort()).toEqual([
      'PROTOTYPE_NCE_DEFAULTS',
      'PROTO_NCE_DEFAULTS',
      'checkClustering',
      'protoNceLoss',
      'prototypeColumns',
      'prototypeNceTerm',
      'readAssignment',
    ]);
    expect(Object.isFrozen(api.PROTOTYPE_NCE_DEFAULTS)).toBe(true);
    expect(Object.isFrozen(api.PROTO_NCE_DEFAULTS)).toBe(true);
    expect(api.PROTO_NCE_DEFAULTS.temperature).toBe(0.2);
    expect(api.PROTOTYPE_NCE_DEFAULTS.negativePrototypes).toBe(16384);
  });
});
