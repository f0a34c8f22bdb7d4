/**
 * Child process of `wasm-threads.test.ts`: trains a small conv net for a few
 * SGD steps on the threaded wasm backend, prints one JSON line and returns
 * without calling `process.exit`: the process must end by itself (the
 * XNNPACK pool's worker threads must not keep it alive).
 */
import * as tf from '@tensorflow/tfjs-core';
import { setBackend } from '../../index';

const threads = Number(process.argv[2] ?? '2');
const choice = await setBackend('wasm', { threads });
const filter = tf.variable(tf.randomNormal([3, 3, 3, 8], 0, 0.3, 'float32', 1));
const dense = tf.variable(tf.randomNormal([8, 4], 0, 0.3, 'float32', 2));
const x = tf.randomNormal([8, 12, 12, 3], 0, 1, 'float32', 3);
const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32'), 4);
const optimizer = tf.train.sgd(0.1);
const losses: number[] = [];
for (let step = 0; step < 3; step++) {
  const loss = optimizer.minimize(() => {
    const h = tf.relu(tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 2, 'same'));
    return tf.losses.softmaxCrossEntropy(labels, tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, dense));
  }, true) as tf.Scalar;
  losses.push((await loss.data())[0] as number);
  loss.dispose();
}
console.log(JSON.stringify({ threads: choice.threads, losses }));
