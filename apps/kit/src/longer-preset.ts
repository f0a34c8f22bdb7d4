/**
 * A CPU preset run for more epochs: the same recipe (data, augmentation,
 * model, optimiser, schedule shape, method) with `train.epochs` set and the
 * kNN monitor every 2 epochs. The apps' `cpu-fashion-mnist-long` presets are
 * this, at the shortest length measured to beat raw pixels by a clear margin
 * (each app's README, "Our CPU numbers").
 */
export function longerPreset<P extends { train?: object; eval?: object }>(preset: P, epochs: number): P {
  return { ...preset, train: { ...preset.train, epochs }, eval: { ...preset.eval, knnEvery: 2 } };
}
