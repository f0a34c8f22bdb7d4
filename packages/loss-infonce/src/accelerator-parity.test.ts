import { it } from 'vitest';
import { describeBackends, expectParity, seededInput } from '@contrastive/test-utils';
import { dclLoss, infoNceLoss, ntXentLoss } from './index';

describeBackends(['webgpu'], (backend) => {
  it('NT-Xent: value and gradients as on cpu', async () => {
    for (const [batch, dim, temperature] of [[1, 3, 0.5], [8, 16, 0.1], [33, 128, 0.05]] as const) {
      await expectParity(
        { inputs: [seededInput(1, [batch, dim]), seededInput(2, [batch, dim])], fn: (a, b) => ntXentLoss(a as never, b as never, { temperature }) },
        backend,
        `nt-xent b=${batch} d=${dim} t=${temperature}`,
      );
    }
  });

  it('InfoNCE with a queue and DCL: value and gradients as on cpu', async () => {
    await expectParity(
      {
        inputs: [seededInput(3, [16, 32]), seededInput(4, [16, 32]), seededInput(5, [100, 32])],
        fn: (q, k, n) => infoNceLoss(q as never, k as never, n as never, { temperature: 0.2 }),
      },
      backend,
      'infonce',
    );
    await expectParity(
      { inputs: [seededInput(6, [12, 8]), seededInput(7, [12, 8])], fn: (a, b) => dclLoss(a as never, b as never, { temperature: 0.1 }) },
      backend,
      'dcl',
    );
  });
});
