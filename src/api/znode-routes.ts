// /v1/znodes/<path>: create (POST), read (GET: data, ?stat, ?children, ?count, ?acl), set (PUT,
// PUT ?acl) and delete (DELETE), with ZooKeeper's semantics and errors.

import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ReadAnswer, TreeRead } from "../../durable-objects/tree-read.ts";
import { codeOf, failure, type ZkFailure } from "../core/error-code.ts";
import { openAcl } from "../core/tree/acl.ts";
import { validatePath } from "../core/tree/path.ts";
import type { WriteRequest } from "../core/tree/request.ts";
import { decodeData, encodeData } from "../protocol/data-encoding.ts";
import { errorBody, httpStatusOf } from "../protocol/error-body.ts";
import {
  createBodySchema,
  modeSchema,
  setAclBodySchema,
  setBodySchema,
} from "../protocol/request-schemas.ts";
import { resultJson } from "../protocol/result-json.ts";
import { statJson } from "../protocol/stat-json.ts";
import { type Caller, callerOf } from "./caller.ts";
import {
  type AppEnv,
  type Ctx,
  fail,
  intQuery,
  isFailure,
  isJson,
  jsonBody,
  rawBody,
  readAtAnyMember,
  stub,
} from "./respond.ts";

const prefix = "/v1/znodes";

export const znodeRoutes = new Hono<AppEnv>();

znodeRoutes.get(prefix, (c) => read(c));
znodeRoutes.get(`${prefix}/*`, (c) => read(c));
znodeRoutes.post(`${prefix}/*`, (c) => create(c));
znodeRoutes.put(prefix, (c) => update(c));
znodeRoutes.put(`${prefix}/*`, (c) => update(c));
znodeRoutes.delete(`${prefix}/*`, (c) => remove(c));

async function read(c: Ctx) {
  const path = znodePathOf(c);
  if (isFailure(path)) return fail(c, path);
  const caller = callerOf(c);
  if (isFailure(caller)) return fail(c, caller);
  const q = (name: string) => c.req.query(name) !== undefined;
  let request: TreeRead;
  if (q("stat")) request = { op: "exists", path };
  else if (q("count")) request = { op: "getAllChildrenNumber", path };
  else if (q("acl")) request = { op: "getACL", path };
  else if (q("children")) {
    const limit = intQuery(c, "limit");
    if (isFailure(limit)) return fail(c, limit);
    if (limit !== undefined && limit < 1)
      return fail(c, failure("BADARGUMENTS", `limit must be at least 1, not ${limit}`, path));
    const after = c.req.query("after");
    request = {
      op: "getChildren",
      path,
      ...(limit === undefined ? {} : { limit }),
      ...(after ? { after } : {}),
    };
  } else request = { op: "getData", path };
  const linearizable = c.req.query("consistency") === "linearizable";
  const answer: ReadAnswer = await readAtAnyMember(c, caller, async (m): Promise<ReadAnswer> => {
    return (await m.read(request, caller.authIds, { linearizable })) as ReadAnswer;
  });
  if (!answer.ok) return fail(c, answer.failure);
  c.header("X-Zxid", String(answer.zxid));
  const value = answer.value;
  if ("data" in value) {
    if ((c.req.header("accept") ?? "").includes("application/octet-stream")) {
      c.header("X-Stat", JSON.stringify(statJson(value.stat)));
      return c.body(value.data as Uint8Array<ArrayBuffer>, 200, {
        "content-type": "application/octet-stream",
      });
    }
    return c.json({ path, ...encodeData(value.data), stat: statJson(value.stat) });
  }
  if ("children" in value) {
    return c.json({ path, children: value.children, more: value.more, stat: statJson(value.stat) });
  }
  if ("acl" in value) return c.json({ path, acl: value.acl, stat: statJson(value.stat) });
  if ("count" in value) return c.json({ path, count: value.count });
  if ("stat" in value) return c.json({ path, stat: statJson(value.stat) });
  return fail(c, failure("SYSTEMERROR", "Unexpected read answer", path));
}

async function create(c: Ctx) {
  const path = znodePathOf(c, { sequential: true });
  if (isFailure(path)) return fail(c, path);
  const caller = callerOf(c);
  if (isFailure(caller)) return fail(c, caller);
  let request: WriteRequest;
  if (isJson(c)) {
    const body = await jsonBody(c, createBodySchema);
    if (isFailure(body)) return fail(c, body);
    const data = decodeData(body.data, body.encoding);
    if (isFailure(data)) return fail(c, data);
    request = {
      op: "create",
      path,
      data,
      acl: body.acl ?? openAcl,
      mode: body.mode ?? 0,
      ttlMs: body.ttlMs,
    };
  } else {
    const data = await rawBody(c);
    if (isFailure(data)) return fail(c, data);
    const modeText = c.req.query("mode");
    const mode =
      modeText === undefined
        ? { success: true as const, data: 0 }
        : modeSchema.safeParse(/^\d+$/.test(modeText) ? Number(modeText) : modeText);
    if (!mode.success)
      return fail(c, failure("BADARGUMENTS", `Unknown create mode "${modeText}"`, path));
    const ttlMs = intQuery(c, "ttl");
    if (isFailure(ttlMs)) return fail(c, ttlMs);
    request = { op: "create", path, data, acl: openAcl, mode: mode.data, ttlMs };
  }
  return write(c, caller, request, 201);
}

async function update(c: Ctx) {
  const path = znodePathOf(c);
  if (isFailure(path)) return fail(c, path);
  const caller = callerOf(c);
  if (isFailure(caller)) return fail(c, caller);
  const queryVersion = intQuery(c, "version");
  if (isFailure(queryVersion)) return fail(c, queryVersion);
  if (c.req.query("acl") !== undefined) {
    const body = await jsonBody(c, setAclBodySchema);
    if (isFailure(body)) return fail(c, body);
    return write(c, caller, {
      op: "setACL",
      path,
      acl: body.acl,
      version: body.version ?? queryVersion ?? -1,
    });
  }
  if (isJson(c)) {
    const body = await jsonBody(c, setBodySchema);
    if (isFailure(body)) return fail(c, body);
    const data = decodeData(body.data, body.encoding);
    if (isFailure(data)) return fail(c, data);
    return write(c, caller, {
      op: "setData",
      path,
      data,
      version: body.version ?? queryVersion ?? -1,
    });
  }
  const data = await rawBody(c);
  if (isFailure(data)) return fail(c, data);
  return write(c, caller, { op: "setData", path, data, version: queryVersion ?? -1 });
}

async function remove(c: Ctx) {
  const path = znodePathOf(c);
  if (isFailure(path)) return fail(c, path);
  const caller = callerOf(c);
  if (isFailure(caller)) return fail(c, caller);
  const version = intQuery(c, "version");
  if (isFailure(version)) return fail(c, version);
  return write(c, caller, { op: "delete", path, version: version ?? -1 });
}

/** Runs a write at the caller's member and answers with its result, the zxid in X-Zxid. */
export async function write(
  c: Ctx,
  caller: Caller,
  request: WriteRequest,
  okStatus: 200 | 201 = 200,
) {
  const answer = await stub(c, caller.member).submit(request, {
    authIds: caller.authIds,
    ...(caller.sessionId === undefined ? {} : { sessionId: caller.sessionId }),
    ...(caller.seq === undefined ? {} : { seq: caller.seq }),
  });
  if (!answer.ok) {
    if (answer.opErrors) {
      // ZooKeeper's multi failure: one result per op (OK before, the code, RUNTIMEINCONSISTENCY after).
      const results = answer.opErrors.map((name) => ({ error: { code: codeOf(name), name } }));
      return c.json(
        { ...errorBody(answer.failure), results },
        httpStatusOf(answer.failure.name) as ContentfulStatusCode,
      );
    }
    return fail(c, answer.failure);
  }
  c.header("X-Zxid", String(answer.zxid));
  return c.json({ zxid: answer.zxid, ...resultJson(answer.result) }, okStatus);
}

/** The znode path a request names: the URL path after the prefix, percent-decoded and validated. */
function znodePathOf(c: Ctx, options: { sequential?: boolean } = {}): string | ZkFailure {
  const rawPath = new URL(c.req.url).pathname.slice(prefix.length) || "/";
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return failure("BADARGUMENTS", `Malformed percent-encoding in path "${rawPath}"`);
  }
  // A sequential create may end in "/"; prepare checks the path again against the real mode.
  return validatePath(path, { sequential: options.sequential === true }) ?? path;
}
