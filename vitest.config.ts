/**
 * Root vitest config: every workspace package is a project, and `@sluice/<pkg>` resolves to its
 * `src/` so `pnpm test` runs on source with no build step (trpc's layout).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));
const alias = readdirSync(packagesDir).map((dir) => ({
  find: new RegExp(`^@sluice/${dir}$`),
  replacement: `${packagesDir}${dir}/src/index.ts`,
}));
alias.push({ find: /^@sluice\/core\/machine$/, replacement: `${packagesDir}core/src/lifecycle/machine.ts` });

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      { extends: true, test: { name: 'core', include: ['packages/core/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'http', include: ['packages/http/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'mns', include: ['packages/mns/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'rocketmq', include: ['packages/rocketmq/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'dms', include: ['packages/dms/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'server', include: ['packages/server/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'conformance', include: ['test/**/*.test.ts'] } },
    ],
    passWithNoTests: false,
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
