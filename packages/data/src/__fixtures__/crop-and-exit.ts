/**
 * Cuts views with two crop workers and returns without closing anything: the
 * process must end by itself (crop-workers.test.ts). Prints the first bytes.
 */
import { createCropWorkers } from '../crop-workers';

const workers = createCropWorkers(2);
const pixels = new Uint8Array(20 * 30 * 3).map((_, i) => (i * 7) % 256);
const views = await Promise.all(
  [0, 1, 2].map((k) => workers.crop({ pixels, height: 20, width: 30, boxes: [{ top: k, left: k, height: 10, width: 12 }], size: [6, 5], filter: 'linear' })),
);
console.log(JSON.stringify(views.map((v) => Array.from(v.subarray(0, 3)))));
