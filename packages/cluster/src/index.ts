export { kMeans, K_MEANS_DEFAULTS } from './k-means';
export type { KMeansOptions, KMeansResult } from './k-means';
export { kMeansMulti } from './k-means-multi';
export type { KMeansMultiOptions } from './k-means-multi';
export { K_MEANS_PATHS, DEVICE_PATH_BACKENDS } from './k-means-path';
export type { KMeansPath } from './k-means-path';
export { assignToCentroids, ASSIGN_DEFAULTS } from './assign-to-centroids';
export type { Assignment, AssignOptions } from './assign-to-centroids';
export { K_MEANS_INITS } from './seeding';
export type { KMeansInit } from './seeding';
export { EMPTY_CLUSTER_STRATEGIES, SPLIT_EPSILON } from './update-centroids';
export type { EmptyClusterStrategy } from './update-centroids';
export {
  pclConcentration,
  pclRawConcentration,
  pclScaleConcentration,
  PCL_CONCENTRATION_DEFAULTS,
} from './pcl-concentration';
export type { PclConcentrationOptions } from './pcl-concentration';
export { pclPrototypes } from './pcl-prototypes';
export type { PclPrototypes } from './pcl-prototypes';
export { percentile } from './percentile';
export { createKMeans } from './create-k-means';
export type { KMeansModel, KMeansState } from './create-k-means';
