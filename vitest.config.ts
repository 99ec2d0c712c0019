// Test projects: core (pure code and the simulator, in Node), workers (inside workerd), security
// (the attack suite, inside workerd configured as a deployment), e2e (the real service on
// loopback), and measure (cost and failover figures; not in `npm test`).

import { createHash, randomBytes } from "node:crypto";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/** The Worker under test inside workerd, with the test-only switches turned on. */
function inWorkerd() {
  return cloudflareTest({
    wrangler: { configPath: "./wrangler.toml" },
    miniflare: {
      bindings: {
        // A loopback deployment: every client is this machine.
        CLIENT_IP_SOURCE: "loopback",
        // Admin tests download several snapshots in a row.
        LIMITS: JSON.stringify({ snapshotIntervalMs: 0 }),
        // Only tests turn on fault injection; small snapshots exercise catch-up by snapshot.
        FAULT_INJECTION: "on",
        // The API tests run without tokens; bearer-auth.test.ts turns auth on per request.
        AUTH: "off",
        // cors.test.ts: pages from this origin may call the API.
        CORS_ORIGINS: "https://app.example",
        COMPACTION_ENTRIES: "40",
        // The applied tree's rows then reach SQLite only when the log compacts or a query needs
        // them, so every crash and eviction test also applies the log's tail again on restart.
        TREE_FLUSH_MS: "60000",
        // Live sessions are re-checked every second (production: every minute), so tests of a
        // silent client's expiry take seconds.
        SESSION_CHECK_MS: "1000",
        // The randomized history test's seed; replay a failure with HISTORY_SEED=<n>.
        HISTORY_SEED: process.env.HISTORY_SEED ?? String(Date.now() % 1_000_000),
        // ENSEMBLE_SIZE=5 npm run test:workers runs every scenario on five members.
        ...(process.env.ENSEMBLE_SIZE ? { ENSEMBLE_SIZE: process.env.ENSEMBLE_SIZE } : {}),
      },
    },
  });
}

/** The attack suite's deployment: auth on, scoped tokens, a fresh secret, small limits to hit. */
function asDeployed() {
  const superPassword = "super:letmein";
  const superHash = createHash("sha1").update(superPassword).digest("base64");
  return cloudflareTest({
    wrangler: { configPath: "./wrangler.toml" },
    miniflare: {
      bindings: {
        ENSEMBLE_NAME: "security",
        AUTH: "on",
        AUTH_TOKENS:
          "alice:write:alice-token, bob:write:bob-token, reader:read:reader-token, root:admin:root-token, team:write@sec+sec-b:team-token",
        SESSION_SECRET: randomBytes(48).toString("base64"),
        SUPER_DIGEST: `super:${superHash}`,
        CLIENT_IP_SOURCE: "loopback",
        SESSION_CHECK_MS: "1000",
        LIMITS: JSON.stringify({
          maxReplyBytes: 65_536,
          maxSetWatchesPaths: 200,
          maxSessions: 60,
          maxConnectionsPerMember: 30,
          maxWatchesPerSession: 100,
          maxOutstandingRequests: 20,
          maxEphemeralsPerSession: 10,
          maxEntryBytes: 200_000,
          maxLongPolls: 5,
          snapshotIntervalMs: 600_000,
        }),
      },
    },
  });
}

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
        plugins: [inWorkerd()],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          // Ensemble scenarios wait for real elections (alarm-driven ticks of 50 ms).
          testTimeout: 60_000,
        },
      },
      {
        plugins: [asDeployed()],
        test: {
          name: "security",
          include: ["test/security/**/*.test.ts"],
          testTimeout: 60_000,
        },
      },
      {
        plugins: [inWorkerd()],
        test: {
          name: "measure",
          include: ["test/measure/**/*.test.ts"],
          testTimeout: 120_000,
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
