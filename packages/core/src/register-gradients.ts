/**
 * tfjs-core keeps its gradient definitions in a side-effect module that the
 * `@tensorflow/tfjs` umbrella imports. Users of `@tensorflow/tfjs-core` alone
 * (with a separate backend) would otherwise get "gradient function not found";
 * every Contrastive package imports core, so loading it here is enough.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
