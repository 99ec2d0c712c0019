// The Worker entry point: the HTTP router, the entry point other Workers bind to, and the
// Durable Object classes wrangler binds.

import { dispatch } from "./api/ensemble-dispatch.ts";
import type { Env } from "./env.ts";

export { Member } from "../durable-objects/member.ts";
export { Registry } from "../durable-objects/registry.ts";
export { EdgeKeeper } from "./api/binding-entrypoint.ts";

export default {
  fetch: (request, env, ctx) => dispatch(request, env, ctx),
} satisfies ExportedHandler<Env>;
