// The Worker entry point: the HTTP router, the entry point other Workers bind to, and the
// Durable Object classes wrangler binds.

import { app } from "./api/app.ts";

export { Member } from "../durable-objects/member.ts";
export { EdgeKeeper } from "./api/binding-entrypoint.ts";

export default app;
