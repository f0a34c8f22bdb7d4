/**
 * The entry of the published package (`dist/index.*`, see tsup.config.ts):
 * tfjs-core's gradients registered first (`#register-gradients`, see
 * `register-gradients.ts`), then everything in `index.ts`. Every package of
 * the workspace reaches tfjs through `@contrastive/core`, so a user who
 * installs a loss with tfjs-core and a backend can take gradients with no
 * further import. Inside the workspace, sources import `index.ts` directly and
 * the test setup and `@contrastive/backend` register the gradients.
 */
import '#register-gradients';

export * from './index';
