// HTTP routes for reading and writing znodes under /v1/znodes/<path>.

import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { failure, type ZkFailure } from "../core/error-code.ts";
import { openAcl } from "../core/tree/acl.ts";
import { validatePath } from "../core/tree/path.ts";
import { defaultTreeConfig } from "../core/tree/tree-config.ts";
import type { Env } from "../env.ts";
import { encodeData } from "../protocol/data-encoding.ts";
import { errorBody, httpStatusOf } from "../protocol/error-body.ts";
import { statJson } from "../protocol/stat-json.ts";
import { servingMember } from "./member-stub.ts";

/** The largest znode payload accepted (the tree's limit, 1 MiB by default). */
export const maxDataBytes = defaultTreeConfig.maxDataBytes;

const prefix = "/v1/znodes";

type Ctx = Context<{ Bindings: Env }>;

export const znodeRoutes = new Hono<{ Bindings: Env }>();

znodeRoutes.put(`${prefix}/*`, async (c) => {
  const path = znodePathOf(c);
  if (typeof path !== "string") return fail(c, path);
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > maxDataBytes) return fail(c, tooLarge(path, declared), 413);
  const body = new Uint8Array(await c.req.arrayBuffer());
  if (body.byteLength > maxDataBytes) return fail(c, tooLarge(path, body.byteLength), 413);
  // Upsert: set the data, or create the node when it is missing (and retry if another writer
  // created it in between).
  const member = servingMember(c.env);
  for (let attempt = 0; attempt < 3; attempt++) {
    const set = await member.submit(
      { op: "setData", path, data: body, version: -1 },
      { authIds: [] },
    );
    if (set.ok && set.result.type === "setData")
      return c.json({ path, stat: statJson(set.result.stat) });
    if (!set.ok && set.failure.name !== "NONODE") return fail(c, set.failure);
    const created = await member.submit(
      { op: "create", path, data: body, acl: openAcl, mode: 0 },
      { authIds: [] },
    );
    if (created.ok && created.result.type === "create") {
      return c.json({ path, stat: statJson(created.result.stat) });
    }
    if (!created.ok && created.failure.name !== "NODEEXISTS") return fail(c, created.failure);
  }
  return fail(c, failure("CONNECTIONLOSS", "The node kept changing; retry", path));
});

znodeRoutes.get(prefix, (c) => readNode(c));
znodeRoutes.get(`${prefix}/*`, (c) => readNode(c));

async function readNode(c: Ctx) {
  const path = znodePathOf(c);
  if (typeof path !== "string") return fail(c, path);
  const answer = await servingMember(c.env).read({ op: "getData", path });
  if (!answer.ok) return fail(c, answer.failure);
  const value = answer.value;
  if (!("data" in value))
    return fail(c, failure("SYSTEMERROR", "getData answered without data", path));
  return c.json({ path, ...encodeData(value.data), stat: statJson(value.stat) });
}

/** The znode path a request names: the URL path after the prefix, percent-decoded and validated. */
function znodePathOf(c: Ctx): string | ZkFailure {
  const rawPath = new URL(c.req.url).pathname.slice(prefix.length) || "/";
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return failure("BADARGUMENTS", `Malformed percent-encoding in path "${rawPath}"`);
  }
  return validatePath(path) ?? path;
}

function tooLarge(path: string, bytes: number): ZkFailure {
  return failure(
    "BADARGUMENTS",
    `Data of ${bytes} bytes exceeds the ${maxDataBytes}-byte limit`,
    path,
  );
}

/** Answers with the shared error shape; `status` overrides the error's usual HTTP status. */
function fail(c: Ctx, f: ZkFailure, status: number = httpStatusOf(f.name)) {
  return c.json(errorBody(f), status as ContentfulStatusCode);
}
