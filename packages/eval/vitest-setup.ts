/**
 * Loads tfjs-core through its package entry before the shared setup file's
 * deep import of its gradient module, so that the global engine comes from
 * the full tfjs-core instance (otherwise chained tensor methods such as
 * `cast` inside `tf.norm` find no op handler under vitest).
 */
import '@tensorflow/tfjs-core';
