/**
 * Registers tfjs-core's gradient definitions (`tf.grad` of `concat`,
 * `matMul`, `conv2d`, ... needs them). tfjs-core ships them only as the
 * side-effect module `@tensorflow/tfjs-core/dist/register_all_gradients`, an
 * ES module tree that bundlers can read and plain Node cannot (extensionless
 * and directory imports); its Node bundle leaves them out, so with tfjs-core
 * and a backend alone every gradient through `Concat` fails with
 * "gradient function not found for Concat".
 *
 * The published package loads this module from its entry (see
 * `published-entry.ts`) through the private import `#register-gradients`:
 * - under the `node` condition, a build of this file with tfjs-core's
 *   gradient modules bundled in (`dist/register-gradients.node.{js,cjs}`);
 *   the ops they call share tfjs-core's global engine and registries;
 * - everywhere else (browser bundlers), this file as written
 *   (`dist/register-gradients.js`), so the bundle holds one tfjs-core.
 * Both are listed in `sideEffects`, so bundlers keep them.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
