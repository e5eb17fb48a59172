import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/helpers/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Two cores here; test files share one disposable MariaDB server.
    fileParallelism: true,
    maxWorkers: 3,
    pool: "forks",
  },
});
