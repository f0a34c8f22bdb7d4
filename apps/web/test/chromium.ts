/**
 * Debian's Chromium (`apt-get install chromium`; tools/ci/install-chromium.sh)
 * driven by playwright-core: playwright's own browser downloads do not run
 * here. Headless Chromium 156 gets WebGL only from ANGLE's SwiftShader (a
 * software GPU): `--use-gl=swiftshader` no longer works, and without a WebGL
 * context tfjs silently stays on cpu, so the tests assert the backend.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** `CHROMIUM_PATH` or Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
  // Root in containers has no user namespaces for Chromium's sandbox.
  '--no-sandbox',
];

export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}
