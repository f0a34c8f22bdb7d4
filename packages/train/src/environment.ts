/** Facts about the environment recorded in every run's config.json. */
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import pkg from '../package.json';

/** Version of @contrastive/train. */
export const TRAIN_VERSION: string = pkg.version;

/** `git rev-parse HEAD` in `cwd`, or null outside a repository or without git. */
export function gitCommit(cwd: string): string | null {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    const sha = out.trim();
    return /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
  } catch {
    return null;
  }
}

/** Versions known to this package: tfjs-core, @contrastive/train, Node. */
export function baseVersions(): Record<string, string> {
  return { '@tensorflow/tfjs-core': tf.version_core, '@contrastive/train': TRAIN_VERSION, node: process.version };
}
