// Types what cloudflare:test and cloudflare:workers hand to tests: the Worker's Env and exports.

import type { Env as WorkerEnv } from "../../src/env.ts";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {}
    interface GlobalProps {
      mainModule: typeof import("../../src/index.ts");
      durableNamespaces: "Member";
    }
  }
}
