/**
 * A suite that needs Chromium: where it is not installed the suite is
 * skipped with a banner on stderr, except under CI (`CI=true`), where it
 * fails: CI must run the browser path (tools/test-utils' describeBackends
 * does the same for webgpu).
 */
import { describe, it } from 'vitest';
import { CHROMIUM_PATH, chromiumInstalled } from './chromium';

export function describeChromium(name: string, body: () => void): void {
  if (chromiumInstalled()) {
    describe(name, body);
    return;
  }
  if (process.env['CI'] === 'true') {
    describe(name, () => {
      it('has Chromium (required under CI)', () => {
        throw new Error(`no Chromium at ${CHROMIUM_PATH} under CI: run tools/ci/install-chromium.sh`);
      });
    });
    return;
  }
  process.stderr.write(
    `\n!!! BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM_PATH}.\n!!! Install it (Debian: apt-get install chromium, or bash tools/ci/install-chromium.sh) or set CHROMIUM_PATH to run them.\n\n`,
  );
  describe.skip(name, body);
}
