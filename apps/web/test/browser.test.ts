/**
 * apps/web in headless Chromium, WebGL on SwiftShader: the backend the page
 * gets, every loss family on webgl against cpu in the same page, a few
 * steps of the page's job, and its rendered loss chart.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { drawnFraction } from './chart-pixels';
import { launchChromium } from './chromium';
import { describeChromium } from './describe-chromium';
import { buildAndServe, type ServedPage } from './serve-page';

/** webgl (float32 on SwiftShader) against cpu: |a - b| <= TOLERANCE * max(1, |b|). */
const TOLERANCE = 1e-6;
/**
 * The build and SwiftShader (every WebGL shader compiled and run on the CPU)
 * take tens of seconds on an idle machine and many minutes on a loaded one.
 */
const SLOW = 900_000;

function maxScaledDifference(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return worst;
}

describeChromium('apps/web in Chromium', () => {
  let served: ServedPage;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    served = await buildAndServe();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
    page.on('pageerror', (error) => process.stderr.write(`page error: ${error.message}\n`));
    await page.goto(`${served.url}?autorun=0&backend=webgl`);
    await page.waitForFunction(() => /^(Ready|Failed)/.test(document.getElementById('status')?.textContent ?? ''), undefined, {
      timeout: 60_000,
    });
  }, SLOW);

  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it('runs on webgl (SwiftShader), not a silent cpu fallback', async () => {
    expect(await page.textContent('#status')).toMatch(/^Ready/);
    expect(await page.getAttribute('#backend', 'data-backend')).toBe('webgl');
    expect(await page.evaluate(() => window.contrastiveWeb!.backend())).toBe('webgl');
    expect(await page.textContent('#backend')).toMatch(/WebGL 2 on .*SwiftShader/);
  });

  it('every loss family gives the same values and gradients on webgl as on cpu', async () => {
    const onWebgl = await page.evaluate(() => window.contrastiveWeb!.losses());
    const cpu = await page.evaluate(async () => {
      await window.contrastiveWeb!.startBackend('cpu');
      return window.contrastiveWeb!.losses();
    });
    await page.evaluate(() => window.contrastiveWeb!.startBackend('webgl'));
    expect(Object.keys(onWebgl).length).toBeGreaterThanOrEqual(12);
    const worst: Record<string, number> = {};
    for (const [name, expected] of Object.entries(cpu)) {
      const got = onWebgl[name]!;
      expect(Number.isFinite(expected.value), name).toBe(true);
      expect(expected.gradients.flat().some((g) => g !== 0), `${name} has gradients`).toBe(true);
      worst[name] = Math.max(
        maxScaledDifference([got.value], [expected.value]),
        ...got.gradients.map((g, i) => maxScaledDifference(g, expected.gradients[i]!)),
      );
    }
    process.stdout.write(`webgl vs cpu, worst scaled difference per loss: ${JSON.stringify(worst)}\n`);
    for (const [name, difference] of Object.entries(worst)) expect(difference, name).toBeLessThanOrEqual(TOLERANCE);
    expect(await page.evaluate(() => window.contrastiveWeb!.backend())).toBe('webgl');
  }, SLOW);

  it("a few steps of the page's job lower its loss, fill the kNN table and draw the loss chart", async () => {
    const chart = page.locator('#loss-chart');
    expect(await drawnFraction(page, await chart.screenshot())).toBe(0);
    // The page's status line on stderr every 20 s: where a slow run is.
    const started = Date.now();
    const progress = setInterval(() => {
      void page.textContent('#status').then((status) => process.stderr.write(`[${Math.round((Date.now() - started) / 1000)} s] ${status}\n`));
    }, 20_000);
    const result = await page
      .evaluate(() => window.contrastiveWeb!.runPage({ maxSteps: 8, batchSize: 64, bankImages: 100, queryImages: 50 }))
      .finally(() => clearInterval(progress));
    const losses = result.losses.map((l) => l.loss);
    process.stdout.write(`page job on webgl: losses ${losses.map((l) => l.toFixed(4)).join(' ')}; kNN ${JSON.stringify(result.knn)}; ${JSON.stringify(result.seconds)}\n`);
    expect(result.losses.map((l) => l.step)).toEqual([1, 3, 5, 7]);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    for (const score of Object.values(result.knn)) expect(score).toBeGreaterThan(10); // above chance (10 classes)
    expect(await page.textContent('[data-knn="trained"]')).toMatch(/%$/);
    expect(await drawnFraction(page, await chart.screenshot())).toBeGreaterThan(0.01);
    expect(await drawnFraction(page, await page.locator('#scatter').screenshot())).toBeGreaterThan(0.01);
  }, SLOW);
});
