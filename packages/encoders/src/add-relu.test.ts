import * as tf from '@tensorflow/tfjs-core';
import { input, loadLayersModel } from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { isContrastiveError } from '@contrastive/core';
import { checkGradients, describeBackends, expectClose, expectNoLeak, randomMatrix } from '@contrastive/test-utils';
import { AddReLU } from './add-relu';
import { backwardTensorGrowth } from './backward-tensors.test-utils';
import { createResNet } from './resnet';

describeBackends(['cpu', 'wasm'], (backend) => {
  describe('AddReLU', () => {
    it('computes max(a + b, 0) with the gradient of the unfused ops', async () => {
      const layer = new AddReLU();
      const a = tf.tensor2d([[1, -2, 0.5], [-1, 3, -0.25]]);
      const b = tf.tensor2d([[-2, 1, 0.25], [2, -1, 0.5]]);
      const y = expectNoLeak(() => layer.apply([a, b]) as tf.Tensor, 1);
      expect(y.shape).toEqual([2, 3]);
      expect(y.dtype).toBe('float32');
      expectClose(await y.data(), [0, 0, 0.75, 1, 2, 0.25]);
      const weights = randomMatrix(1, 1, 6).data;
      checkGradients(
        (x1, x2) => tf.sum(tf.mul(layer.apply([x1!, x2!]) as tf.Tensor, tf.tensor(Float32Array.from(weights), [2, 3]))),
        (x1, x2) => x1!.reduce((s, v, i) => s + Math.max(v + x2![i]!, 0) * weights[i]!, 0),
        [
          { values: randomMatrix(2, 1, 6).data, shape: [2, 3] },
          { values: randomMatrix(3, 1, 6).data, shape: [2, 3] },
        ],
      );
      expect(() => layer.apply([a, tf.zeros([3, 2])])).toThrow(/inputs\[1\]/);
      tf.dispose([a, b, y]);
    });

    it('backward keeps no temporaries alive until the end of the backward pass', () => {
      const layer = new AddReLU();
      const a = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 5);
      const b = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 6);
      // The probe's gradient and the two input gradients (sharing one buffer); nothing else.
      expect(backwardTensorGrowth((t) => layer.apply([t, b]) as tf.Tensor, a)).toBe(3);
      tf.dispose([a, b]);
    });

    if (backend === 'cpu') {
      it('a ResNet with AddReLU and split BN saves and loads with identical outputs', async () => {
        const backbone = createResNet({ depth: 18, width: 4, inputShape: [8, 8, 3], batchNormGroups: 2, seed: 2 });
        let saved: tf.io.ModelArtifacts | undefined;
        await backbone.model.save(tf.io.withSaveHandler(async (artifacts) => {
          saved = artifacts;
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }));
        const loaded = await loadLayersModel(tf.io.fromMemory(saved!));
        expect(loaded.getLayer('layer1.0.add')).toBeInstanceOf(AddReLU);
        const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 1);
        const a = backbone.model.predict(x) as tf.Tensor;
        const b = loaded.predict(x) as tf.Tensor;
        expectClose(await b.data(), await a.data(), { atol: 0, rtol: 0 });
        tf.dispose([x, a, b]);
        backbone.model.dispose();
        loaded.dispose();
      });

      it('rejects a single input', () => {
        const layer = new AddReLU();
        try {
          layer.apply(input({ shape: [2] }));
          layer.apply(tf.zeros([1, 2]));
          expect.unreachable();
        } catch (error) {
          expect(isContrastiveError(error, 'INVALID_ARGUMENT')).toBe(true);
        }
      });
    }
  });
});
