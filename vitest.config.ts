import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts'] } },
      {
        // examples/ import 'cgbox' and 'cgbox/vitest' as a user would: here they are this source tree.
        resolve: {
          alias: [
            { find: /^cgbox\/vitest$/, replacement: fileURLToPath(new URL('./src/vitest/index.ts', import.meta.url)) },
            { find: /^cgbox$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
          ],
        },
        test: {
          name: 'integration',
          include: ['integration/**/*.test.ts', 'examples/**/*.test.ts'],
          // They measure time and CPU shares on a 2-core host, and check what is left on the host:
          // one file at a time. vitest 4 sizes a project's pool from its own maxWorkers.
          fileParallelism: false,
          maxWorkers: 1,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          globalSetup: ['integration/global-setup.ts'],
        },
      },
    ],
  },
});
