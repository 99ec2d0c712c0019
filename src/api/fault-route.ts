// Test-only: cuts a member off (`PUT /v1/admin/faults?member=i`), for tests that kill a member of
// a running service — the dashboard's among them. Answers 501 UNIMPLEMENTED unless the deployment
// sets FAULT_INJECTION=on, which no real deployment does; the admin scope is needed either way.

import { Hono } from "hono";
import { z } from "zod";
import { failure } from "../core/error-code.ts";
import { isMemberId, memberIdsText } from "./member-ids.ts";
import { type AppEnv, fail, isFailure, jsonBody, stub } from "./respond.ts";

export const faultRoute = new Hono<AppEnv>();

export const faultsBodySchema = z.strictObject({
  dropTo: z.array(z.number().int().min(0).max(6)).max(7).default([]),
  dropFrom: z.array(z.number().int().min(0).max(6)).max(7).default([]),
  down: z.boolean().default(false),
});

faultRoute.put("/v1/admin/faults", async (c) => {
  if (c.env.FAULT_INJECTION !== "on")
    return fail(c, failure("UNIMPLEMENTED", "Fault injection is off in this deployment"));
  const member = Number(c.req.query("member") ?? "-1");
  if (!isMemberId(c.env, member))
    return fail(c, failure("BADARGUMENTS", `member must be ${memberIdsText(c.env)}`));
  const body = await jsonBody(c, faultsBodySchema);
  if (isFailure(body)) return fail(c, body);
  await stub(c, member).setFaults(body);
  return c.json({ command: "faults", member, faults: body, error: null });
});
