/** PAUC killed after an epoch, or inside one, and resumed equals the uninterrupted run: metrics, key encoder, queue (issue 14). */
import { describe, expect, it } from 'vitest';
import { expectResumeMatches, RESUME_TEST_TIMEOUT } from '../../kit/src/testing/resume-check';
import { paucApp } from './index';

describe('pauc resume', () => {
  it('smoke at an epoch boundary: same metrics, online and key weights, optimiser state and queue', async () => {
    await expectResumeMatches(paucApp, { preset: 'smoke', expectState: ['weights/momentum/0', 'tensors/queue'] });
  }, RESUME_TEST_TIMEOUT);

  it('smoke inside epoch 1, after its E-step (checkpoint every 2 steps of 3, killed after step 4): the same, clusterings restored, not recomputed', async () => {
    const { resumedOutput } = await expectResumeMatches(paucApp, {
      preset: 'smoke',
      sets: ['train.checkpointEverySteps=2'],
      midEpoch: { step: 4 },
      expectState: ['weights/momentum/0', 'tensors/queue'],
    });
    expect(resumedOutput).toContain('at epoch 1, batch 1');
    expect(resumedOutput).not.toContain('E-step');
  }, RESUME_TEST_TIMEOUT);
});
