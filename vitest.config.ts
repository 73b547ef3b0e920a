import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// Reliability on a busy 2-core machine: forks (native better-sqlite3 is not thread-safe to share),
// at most cores-1 of them (one core left for the main process that answers the workers' RPC),
// and generous teardown. Tests must not block a worker's event loop for long (no spawnSync of
// the CLI: a worker blocked past vitest's 60 s RPC timeout fails the run with
// `[vitest-worker]: Timeout calling "onTaskUpdate"` even when every test passed).
const forks = Math.max(1, Math.min(4, availableParallelism() - 1));

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: forks, minForks: 1 } },
  },
});
