/** CCT killed after an epoch, or inside one, and resumed equals the uninterrupted run: metrics, key encoder, queue (issue 14). */
import { describe, it } from 'vitest';
import { expectResumeMatches, RESUME_TEST_TIMEOUT } from '../../kit/src/testing/resume-check';
import { cctApp } from './index';

describe('cct resume', () => {
  it('smoke-queue at an epoch boundary: same metrics, online and key weights, optimiser state and queue', async () => {
    await expectResumeMatches(cctApp, { preset: 'smoke-queue', expectState: ['weights/momentum/0', 'tensors/queue'] });
  }, RESUME_TEST_TIMEOUT);

  it('smoke-queue inside an epoch (checkpoint every 2 steps of 3): the same', async () => {
    await expectResumeMatches(cctApp, {
      preset: 'smoke-queue',
      sets: ['train.checkpointEverySteps=2'],
      midEpoch: true,
      expectState: ['weights/momentum/0', 'tensors/queue'],
    });
  }, RESUME_TEST_TIMEOUT);
});
