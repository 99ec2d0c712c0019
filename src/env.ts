// The Worker's bindings and variables, as wrangler.toml declares them.

import type { Member } from "../durable-objects/member.ts";
import type { Registry } from "../durable-objects/registry.ts";

export interface Env {
  MEMBER: DurableObjectNamespace<Member>;
  /** The registry of ensembles created through /v1/ensembles (one object, named "registry"). */
  REGISTRY: DurableObjectNamespace<Registry>;
  /** Names the ensemble; member i is the Durable Object named `<ENSEMBLE_NAME>/<i>`. */
  ENSEMBLE_NAME: string;
  /** How many members the ensemble has (3 or 5), as a decimal string. */
  ENSEMBLE_SIZE: string;
  /**
   * Set by the router, never in wrangler.toml: the regions (JSON array) of the named ensemble a
   * request is for, to send a client to its nearest member.
   */
  ENSEMBLE_REGIONS?: string;
  /**
   * Set by the router, never in wrangler.toml: the ensemble's live membership (JSON LiveMembers,
   * src/core/live-members.ts) as the registry last recorded it; absent, members 0..SIZE-1 vote.
   */
  ENSEMBLE_MEMBERS?: string;
  /** Milliseconds per consensus tick (the alarm period while the ensemble is active). */
  TICK_MS?: string;
  ELECTION_TICKS?: string;
  HEARTBEAT_TICKS?: string;
  /** Applied entries between snapshots (log compaction). */
  COMPACTION_ENTRIES?: string;
  REQUEST_TIMEOUT_MS?: string;
  /** Longest the applied tree's rows wait in memory before they are written (replica.ts). */
  TREE_FLUSH_MS?: string;
  SESSION_CHECK_MS?: string;
  /** Bearer tokens, comma-separated `name:scope:token` (scope read, write or admin; a secret). */
  AUTH_TOKENS?: string;
  /** "off" turns token auth off (local development's .dev.vars does); anything else keeps it on. */
  AUTH?: string;
  /** The HMAC key for session passwords, at least 32 bytes (a secret; required with auth on). */
  SESSION_SECRET?: string;
  /** The key before the last rotation: its passwords are still accepted (a secret). */
  SESSION_SECRET_PREVIOUS?: string;
  /** "super:<base64 sha1>": authenticating as it grants every permission (ZooKeeper's superDigest). */
  SUPER_DIGEST?: string;
  /** Where client addresses for `ip` ACLs come from: edge, loopback or none (the default). */
  CLIENT_IP_SOURCE?: string;
  /** Web origins whose pages may call the HTTP API, comma-separated, or "*" (default: none). */
  CORS_ORIGINS?: string;
  /** A JSON object overriding named limits (src/access/limits.ts, docs/security.md). */
  LIMITS?: string;
  /** "on" enables the test-only fault injection RPCs; only the test configuration sets it. */
  FAULT_INJECTION?: string;
}
