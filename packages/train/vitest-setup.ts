/**
 * Loads tfjs-core through its package entry before the shared setup file's
 * deep import of `dist/register_all_gradients`. Without this, that deep ESM
 * import creates the global engine from a partial tfjs-core instance whose
 * Tensor class has no op handler, and chained tensor methods (`clone`, `cast`,
 * used inside `tf.norm`) fail with "Cannot read properties of null".
 */
import '@tensorflow/tfjs-core';
