import { packageBuild } from '../../tsup.shared';

// `optim` is the entry without Node builtins (`@contrastive/train/optim`), for browser bundles.
export default packageBuild({ entry: ['src/index.ts', 'src/optim.ts'] });
