/** MoCo killed after an epoch and resumed equals the uninterrupted run: metrics, key encoder, queue (issue 14). */
import { describe, it } from 'vitest';
import { expectResumeMatches, RESUME_TEST_TIMEOUT } from '../../kit/src/testing/resume-check';
import { mocoApp } from './index';

describe('moco resume', () => {
  it('at an epoch boundary: same metrics, online and key weights, optimiser state and queue', async () => {
    await expectResumeMatches(mocoApp, { preset: 'smoke', expectState: ['weights/momentum/0', 'tensors/queue'] });
  }, RESUME_TEST_TIMEOUT);

  it('inside an epoch (checkpoint every 2 steps of 3): the same', async () => {
    await expectResumeMatches(mocoApp, {
      preset: 'smoke',
      sets: ['train.checkpointEverySteps=2'],
      midEpoch: true,
      expectState: ['weights/momentum/0', 'tensors/queue'],
    });
  }, RESUME_TEST_TIMEOUT);
});
