// The Worker entry point: the HTTP router, and the Durable Object classes wrangler binds.

import { app } from "./api/app.ts";

export { Member } from "../durable-objects/member.ts";

export default app;
