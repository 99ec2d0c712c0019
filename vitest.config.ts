// Test projects: core (pure code and the simulator, in Node), workers (inside workerd), e2e
// (the real service on loopback).

import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "core",
          environment: "node",
          include: ["test/core/**/*.test.ts", "test/sim/**/*.test.ts"],
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            // Only tests turn on fault injection; small snapshots exercise catch-up by snapshot.
            miniflare: {
              bindings: {
                FAULT_INJECTION: "on",
                COMPACTION_ENTRIES: "40",
                // The randomized history test's seed; replay a failure with HISTORY_SEED=<n>.
                HISTORY_SEED: process.env.HISTORY_SEED ?? String(Date.now() % 1_000_000),
              },
            },
          }),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          // Ensemble scenarios wait for real elections (alarm-driven ticks of 50 ms).
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          environment: "node",
          include: ["test/e2e/**/*.test.ts"],
          // Each file starts its own service; two at once would only compete for two cores.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
