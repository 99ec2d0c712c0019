// The Worker's bindings and variables, as wrangler.toml declares them.

import type { Member } from "../durable-objects/member.ts";

export interface Env {
  MEMBER: DurableObjectNamespace<Member>;
  /** Names the ensemble; member i is the Durable Object named `<ENSEMBLE_NAME>/<i>`. */
  ENSEMBLE_NAME: string;
  /** How many members the ensemble has (3 or 5), as a decimal string. */
  ENSEMBLE_SIZE: string;
}
