/** PAUC killed after an epoch and resumed equals the uninterrupted run: metrics, key encoder, queue (issue 14). */
import { describe, it } from 'vitest';
import { expectResumeMatches, RESUME_TEST_TIMEOUT } from '../../kit/src/testing/resume-check';
import { paucApp } from './index';

describe('pauc resume', () => {
  it('smoke at an epoch boundary: same metrics, online and key weights, optimiser state and queue', async () => {
    await expectResumeMatches(paucApp, { preset: 'smoke', expectState: ['weights/momentum/0', 'tensors/queue'] });
  }, RESUME_TEST_TIMEOUT);
});
