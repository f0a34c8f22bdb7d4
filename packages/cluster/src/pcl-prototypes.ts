/**
 * PCL E-step outputs for the ProtoNCE loss (spec §2(a) steps 4-8): the
 * L2-normalised centroids (prototypes), the concentration per prototype and
 * the assignment. The order matters (spec §2(e) 6): phi is estimated on the
 * unnormalised centroids, which are normalised only afterwards.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { l2Normalize } from '@contrastive/core';
import type { KMeansResult } from './k-means';
import { pclConcentration, type PclConcentrationOptions } from './pcl-concentration';

/** One clustering ready for ProtoNCE. Tensors are owned by the caller. */
export interface PclPrototypes {
  /** [k, d] float32, unit rows (step 8). */
  prototypes: Tensor2D;
  /** [k] float32 phi, mean = temperature (steps 4-7). */
  concentration: Tensor1D;
  /** Int32Array [N]: prototype of each sample. */
  assignment: Int32Array;
}

/**
 * Turns a k-means result into PCL prototypes and concentrations. Borrows
 * `result` (its centroids are not disposed).
 */
export function pclPrototypes(
  result: KMeansResult,
  options: Omit<PclConcentrationOptions, 'numClusters'> = {},
): PclPrototypes {
  const k = result.centroids.shape[0];
  const phi = pclConcentration(result.assignment, result.distances, { ...options, numClusters: k });
  return {
    prototypes: tf.tidy(() => l2Normalize(result.centroids, 1)),
    concentration: tf.tensor1d(Float32Array.from(phi)),
    assignment: result.assignment,
  };
}
