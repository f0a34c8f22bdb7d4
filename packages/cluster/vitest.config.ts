import { fileURLToPath } from 'node:url';
import shared from '../../vitest.shared';

// Shared settings, with ./vitest-setup.ts run before the shared setup files.
const setupFiles = shared.test?.setupFiles;
export default {
  ...shared,
  test: {
    ...shared.test,
    setupFiles: [
      fileURLToPath(new URL('./vitest-setup.ts', import.meta.url)),
      ...(Array.isArray(setupFiles) ? setupFiles : setupFiles ? [setupFiles] : []),
    ],
  },
};
