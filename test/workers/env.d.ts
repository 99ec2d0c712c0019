// Types what cloudflare:test and cloudflare:workers hand to tests: the Worker's Env and exports.

import type { Env as WorkerEnv } from "../../src/env.ts";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      /** Test-only: the seed of the randomized history test. */
      HISTORY_SEED: string;
    }
    interface GlobalProps {
      mainModule: typeof import("../../src/index.ts");
      durableNamespaces: "Member";
    }
  }
}
