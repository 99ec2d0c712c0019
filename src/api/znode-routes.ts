// HTTP routes for reading and writing znodes under /v1/znodes/<path>.

import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { failure, type ZkFailure } from "../core/error-code.ts";
import { validatePath } from "../core/tree/path.ts";
import type { Env } from "../env.ts";
import { encodeData } from "../protocol/data-encoding.ts";
import { errorBody, httpStatusOf } from "../protocol/error-body.ts";
import { servingMember } from "./member-stub.ts";

/** ZooKeeper's default jute.maxbuffer: the largest znode payload accepted. */
export const maxDataBytes = 1024 * 1024 - 1;

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
  const stat = await servingMember(c.env).putNode(path, body);
  return c.json({ path, stat });
});

znodeRoutes.get(prefix, (c) => readNode(c));
znodeRoutes.get(`${prefix}/*`, (c) => readNode(c));

async function readNode(c: Ctx) {
  const path = znodePathOf(c);
  if (typeof path !== "string") return fail(c, path);
  const node = await servingMember(c.env).getNode(path);
  if (!node) return fail(c, failure("NONODE", `No node at ${path}`, path));
  return c.json({ path, ...encodeData(node.data), stat: node.stat });
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
