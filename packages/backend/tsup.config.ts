import { packageBuild } from '../../tsup.shared';

// `browser` is the entry without Node builtins (`@contrastive/backend/browser`), for browser bundles.
export default packageBuild({ entry: ['src/index.ts', 'src/browser.ts'] });
