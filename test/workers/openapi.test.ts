// The OpenAPI document covers exactly the routes the app registers, says what they answer — real
// answers parse with the very schemas it was generated from — and is served with its page.

import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { app } from "../../src/api/app.ts";
import { routeSpecs } from "../../src/api/route-specs.ts";
import { maxDataTextLength } from "../../src/protocol/request-schemas.ts";

const send = (path: string, init: RequestInit & { json?: unknown } = {}) =>
  exports.default.fetch(
    new Request(`http://edgekeeper.test${path}`, {
      ...init,
      ...(init.json === undefined
        ? {}
        : { body: JSON.stringify(init.json), headers: { "content-type": "application/json" } }),
    }),
  );

/** The schema the document gives for this route's answer with this status. */
function documented(method: string, hono: string, status: number): z.ZodType {
  const route = routeSpecs.find((r) => r.hono === hono && r.spec.method === method);
  if (!route) throw new Error(`${method} ${hono} is not documented`);
  const responses = route.spec.responses as Record<
    string,
    { content?: Record<string, { schema: z.ZodType }> }
  >;
  const response = responses[String(status)] ?? responses.default;
  const schema = response?.content?.["application/json"]?.schema;
  if (!schema) throw new Error(`${method} ${hono} documents no JSON for ${status}`);
  return schema;
}

/** Sends a request and checks its answer against the document; returns the body. */
async function conforms(
  method: string,
  hono: string,
  path: string,
  init: RequestInit & { json?: unknown } = {},
  expectedStatus?: number,
): Promise<Record<string, unknown>> {
  const res = await send(path, { ...init, method: method.toUpperCase() });
  if (expectedStatus !== undefined) expect(res.status, `${method} ${path}`).toBe(expectedStatus);
  const body = (await res.json()) as Record<string, unknown>;
  const parsed = documented(method, hono, res.status).safeParse(body);
  expect(
    parsed.error?.issues ?? [],
    `${method} ${path} → ${res.status} ${JSON.stringify(body)}`,
  ).toEqual([]);
  return body;
}

interface Operation {
  responses?: Record<string, unknown>;
  requestBody: {
    content: Record<string, { schema: { properties: Record<string, { maxLength?: number }> } }>;
  };
}

describe("OpenAPI", () => {
  it("documents every registered route and nothing else", () => {
    const registered = new Set(
      app.routes
        .filter((r) => r.method !== "ALL")
        .map((r) => `${r.method.toLowerCase()} ${r.path}`),
    );
    const documented = new Set(routeSpecs.map((r) => `${r.spec.method} ${r.hono}`));
    expect([...registered].sort()).toEqual([...documented].sort());
  });

  it("serves a document generated from the schemas: bodies, responses, the real limits", async () => {
    const res = await send("/v1/openapi.json");
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe("3.1.0");
    const create = doc.paths["/v1/znodes/{path}"]?.post;
    expect(Object.keys(create?.responses ?? {})).toEqual(["201", "default"]);
    expect(create?.requestBody.content["application/json"]?.schema.properties.data?.maxLength).toBe(
      maxDataTextLength,
    );
    expect(maxDataTextLength).toBe(1_398_104);
    expect(doc.components.schemas.Stat).toMatchObject({
      type: "object",
      required: expect.arrayContaining(["czxid", "ephemeralOwner"]),
    });
    // Every operation says what it answers.
    for (const [path, methods] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(methods))
        expect(Object.keys(op.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(0);
  });

  it("answers what it documents, status and shape, for every JSON route", async () => {
    const z = "/v1/znodes/*";
    await conforms("post", z, "/v1/znodes/doc", { json: { data: "x" } }, 201);
    await conforms(
      "post",
      z,
      "/v1/znodes/doc/seq-",
      { json: { mode: "persistent_sequential" } },
      201,
    );
    await conforms("post", z, "/v1/znodes/doc", { json: { data: "again" } }, 409);
    await conforms("get", z, "/v1/znodes/doc", {}, 200);
    await conforms("get", "/v1/znodes", "/v1/znodes", {}, 200);
    for (const q of [
      "stat",
      "children",
      "children&limit=1",
      "count",
      "acl",
      "consistency=linearizable",
    ])
      await conforms("get", z, `/v1/znodes/doc?${q}`, {}, 200);
    await conforms("get", z, "/v1/znodes/nowhere", {}, 404);
    const set = await conforms(
      "put",
      z,
      "/v1/znodes/doc",
      { json: { data: "y", version: 0 } },
      200,
    );
    expect(set.type).toBe("setData");
    await conforms("put", z, "/v1/znodes/doc", { json: { data: "z", version: 0 } }, 412);
    await conforms(
      "put",
      z,
      "/v1/znodes/doc?acl",
      { json: { acl: [{ perms: "cdrwa", scheme: "world", id: "anyone" }] } },
      200,
    );
    await conforms(
      "post",
      "/v1/multi",
      "/v1/multi",
      {
        json: {
          ops: [
            { op: "create", path: "/doc/m", data: "" },
            { op: "check", path: "/doc", version: 1 },
            { op: "delete", path: "/doc/m" },
          ],
        },
      },
      200,
    );
    await conforms(
      "post",
      "/v1/multi",
      "/v1/multi",
      { json: { ops: [{ op: "delete", path: "/doc/none" }] } },
      404,
    );
    await conforms(
      "post",
      "/v1/multi-read",
      "/v1/multi-read",
      {
        json: {
          ops: [
            { op: "getData", path: "/doc" },
            { op: "getChildren", path: "/doc" },
            { op: "getData", path: "/none" },
          ],
        },
      },
      200,
    );
    await conforms("post", "/v1/sync", "/v1/sync", {}, 200);
    await conforms("get", "/v1/watch/*", "/v1/watch/doc?since=0&wait=0", {}, 200);
    const session = await conforms(
      "post",
      "/v1/sessions",
      "/v1/sessions",
      { json: { timeoutMs: 10_000 } },
      201,
    );
    const auth = { "x-session-password": String(session.password) };
    await conforms(
      "post",
      "/v1/sessions/:id/keepalive",
      `/v1/sessions/${session.sessionId}/keepalive`,
      { headers: auth },
      200,
    );
    await conforms(
      "delete",
      "/v1/sessions/:id",
      `/v1/sessions/${session.sessionId}`,
      { headers: auth },
      200,
    );
    await conforms("delete", z, "/v1/znodes/doc/seq-0000000000", {}, 200);
    for (const name of ["ruok", "srvr", "stat", "mntr", "cons", "wchs"])
      await conforms("get", `/v1/admin/${name}`, `/v1/admin/${name}`, {}, 200);
    await conforms("get", "/v1/admin/ensemble", "/v1/admin/ensemble", {}, 200);
    await conforms("get", "/v1/admin/sessions", "/v1/admin/sessions", {}, 200);
    await conforms("get", "/v1/admin/sessions", "/v1/admin/sessions?limit=0", {}, 400);
    await conforms("get", "/v1/whoami", "/v1/whoami", {}, 200);
    const closable = await conforms(
      "post",
      "/v1/sessions",
      "/v1/sessions",
      { json: { timeoutMs: 10_000 } },
      201,
    );
    await conforms(
      "delete",
      "/v1/admin/sessions/:id",
      `/v1/admin/sessions/${closable.sessionId}`,
      {},
      200,
    );
    await conforms(
      "put",
      "/v1/admin/faults",
      "/v1/admin/faults?member=0",
      { json: { dropTo: [], dropFrom: [] } },
      200,
    );
    await conforms(
      "post",
      z,
      "/v1/znodes/doc/big",
      { json: { data: "x".repeat(maxDataTextLength + 1) } },
      413,
    );
  });

  it("serves an interactive page that needs nothing from elsewhere", async () => {
    const page = await send("/v1/docs");
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    expect(html).toContain('fetch("openapi.json")');
    expect(html).toContain('<script type="module">');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?(https?:)?\/\//);
  });
});
