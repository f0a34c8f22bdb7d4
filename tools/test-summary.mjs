// Adds up the per-project vitest JSON results written during `npm test` and
// prints one closing line: "Tests: N passed, N failed, N skipped". The tests
// that ran on the webgpu backend (blocks titled "on webgpu") get a line of their own.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
const webgpu = { passed: 0, failed: 0, skipped: 0 };
const failedProjects = [];
for (const folder of ['packages', 'apps', 'tools']) {
  const dir = join(root, folder);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const file = join(dir, name, '.vitest-results.json');
    if (!existsSync(file)) continue;
    const r = JSON.parse(readFileSync(file, 'utf8'));
    passed += r.numPassedTests ?? 0;
    failed += r.numFailedTests ?? 0;
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    for (const file of r.testResults ?? []) {
      for (const test of file.assertionResults ?? []) {
        if (!(test.ancestorTitles ?? []).includes('on webgpu')) continue;
        if (test.status === 'passed') webgpu.passed++;
        else if (test.status === 'failed') webgpu.failed++;
        else webgpu.skipped++;
      }
    }
    if ((r.numFailedTests ?? 0) > 0 || r.success === false) failedProjects.push(`${folder}/${name}`);
  }
}
if (failedProjects.length > 0) console.log(`failing projects: ${failedProjects.join(', ')}`);
console.log(`webgpu backend: ${webgpu.passed} passed, ${webgpu.failed} failed, ${webgpu.skipped} skipped`);
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
