// The ensemble at a glance, once (`GET /v1/admin/ensemble`) or as a Server-Sent Events stream
// (`GET /v1/admin/ensemble/stream`) that the dashboard reads: every member's status each interval,
// or that it did not answer. A browser reads the stream with fetch, so the bearer token travels
// in a header (EventSource cannot send one) and never in the URL.

import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { failure } from "../core/error-code.ts";
import { memberIds } from "./member-ids.ts";
import { type AppEnv, type Ctx, fail, intQuery, isFailure, stub } from "./respond.ts";

export const ensembleStream = new Hono<AppEnv>();

/** Between two views of the stream: the default and its bounds (ms). */
export const ensembleStreamIntervalMs = { default: 1_000, min: 250, max: 10_000 };
/**
 * A stream ends after this long (the client opens another): each view costs one RPC per member,
 * so a tab left open somewhere does not keep the members busy forever.
 */
export const ensembleStreamMaxMs = 10 * 60_000;

/** Every member's status, or why it did not answer. */
export async function ensembleView(c: Ctx) {
  const members = memberIds(c.env);
  const view = await Promise.all(
    members.map((i) =>
      stub(c, i)
        .status()
        .then((s) => ({ member: i, reachable: true, ...s }))
        .catch((e: unknown) => ({ member: i, reachable: false, error: String(e) })),
    ),
  );
  return { command: "ensemble", name: c.env.ENSEMBLE_NAME, members: view, error: null };
}

ensembleStream.get("/v1/admin/ensemble", async (c) => c.json(await ensembleView(c)));

ensembleStream.get("/v1/admin/ensemble/stream", async (c) => {
  const interval = intQuery(c, "interval");
  if (isFailure(interval)) return fail(c, interval);
  const { min, max } = ensembleStreamIntervalMs;
  if (interval !== undefined && (interval < min || interval > max))
    return fail(c, failure("BADARGUMENTS", `interval must be between ${min} and ${max} ms`));
  const intervalMs = interval ?? ensembleStreamIntervalMs.default;
  return streamSSE(c, async (stream) => {
    let open = true;
    stream.onAbort(() => {
      open = false;
    });
    const endAt = Date.now() + ensembleStreamMaxMs;
    let id = 0;
    while (open && Date.now() < endAt) {
      const startedMs = Date.now();
      await stream.writeSSE({
        event: "ensemble",
        id: String(id++),
        data: JSON.stringify({ ...(await ensembleView(c)), atMs: startedMs }),
      });
      await stream.sleep(Math.max(0, intervalMs - (Date.now() - startedMs)));
    }
  });
});
