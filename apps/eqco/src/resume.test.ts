/** EQCO killed after an epoch, or inside one, and resumed equals the uninterrupted run: metrics, key encoder, queue (issue 14). */
import { describe, it } from 'vitest';
import { expectResumeMatches, RESUME_TEST_TIMEOUT } from '../../kit/src/testing/resume-check';
import { eqcoApp } from './index';

describe('eqco resume', () => {
  it('smoke-moco-eqco at an epoch boundary: same metrics, online and key weights, optimiser state and queue', async () => {
    await expectResumeMatches(eqcoApp, { preset: 'smoke-moco-eqco', expectState: ['weights/momentum/0', 'tensors/queue'] });
  }, RESUME_TEST_TIMEOUT);

  it('smoke-moco-eqco inside an epoch (checkpoint every 2 steps of 3): the same', async () => {
    await expectResumeMatches(eqcoApp, {
      preset: 'smoke-moco-eqco',
      sets: ['train.checkpointEverySteps=2'],
      midEpoch: true,
      expectState: ['weights/momentum/0', 'tensors/queue'],
    });
  }, RESUME_TEST_TIMEOUT);
});
