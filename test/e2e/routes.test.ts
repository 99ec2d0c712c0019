// Every HTTP route against the running service over real HTTP, an HTTP session whose ephemeral
// disappears after it expires, a bad-input pass that must leave the service serving, and
// TypeScript types generated from the served OpenAPI document checking a client written to them.

import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import openapiTS, { astToString, type OpenAPI3 } from "openapi-typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumerTsconfig } from "./consumer-tsconfig.ts";
import { type RunningService, startService } from "./service.ts";

const root = join(import.meta.dirname, "../..");
let service: RunningService;

beforeAll(async () => {
  service = await startService();
});

afterAll(async () => {
  await service?.stop();
});

async function call(path: string, init: RequestInit & { json?: unknown } = {}) {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set("content-type", "application/json");
  const res = await fetch(`${service.url}${path}`, {
    ...rest,
    headers,
    ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: res.status, body };
}

describe("every route over real HTTP", () => {
  it("serves the znode, multi, sync, session, watch, admin and document routes", async () => {
    expect((await call("/v1/znodes/r", { method: "POST", json: { data: "v0" } })).status).toBe(201);
    expect((await call("/v1/znodes/r")).body).toMatchObject({ data: "v0" });
    expect((await call("/v1/znodes")).body).toMatchObject({ path: "/" });
    expect((await call("/v1/znodes/r?stat")).body).toMatchObject({ stat: { version: 0 } });
    expect((await call("/v1/znodes/r", { method: "PUT", body: "v1" })).body).toMatchObject({
      stat: { version: 1 },
    });
    expect(
      (
        await call("/v1/znodes/r?acl", {
          method: "PUT",
          json: { acl: [{ perms: 31, scheme: "world", id: "anyone" }] },
        })
      ).status,
    ).toBe(200);
    expect((await call("/v1/znodes/r?acl")).body).toMatchObject({ acl: [{ perms: 31 }] });
    expect(
      (
        await call("/v1/multi", {
          method: "POST",
          json: {
            ops: [
              { op: "create", path: "/r/a" },
              { op: "check", path: "/r", version: 1 },
            ],
          },
        })
      ).status,
    ).toBe(200);
    expect((await call("/v1/znodes/r?children")).body).toMatchObject({ children: ["a"] });
    expect((await call("/v1/znodes/r?count")).body).toMatchObject({ count: 1 });
    expect(
      (
        await call("/v1/multi-read", {
          method: "POST",
          json: { ops: [{ op: "getData", path: "/r" }] },
        })
      ).body,
    ).toMatchObject({ results: [{ data: "v1" }] });
    expect((await call("/v1/sync", { method: "POST" })).body).toMatchObject({
      zxid: expect.any(Number),
    });
    const since = (await call("/v1/watch/r?wait=0")).body.zxid as number;
    const poll = call(`/v1/watch/r?since=${since}&wait=20`);
    await call("/v1/znodes/r/a", { method: "DELETE" });
    expect((await poll).body).toMatchObject({
      events: [{ event: "NodeChildrenChanged", path: "/r" }],
    });
    expect((await call("/v1/znodes/r", { method: "DELETE" })).status).toBe(200);
    expect((await call("/v1/admin/ruok")).body).toMatchObject({ answer: "imok" });
    for (const cmd of ["srvr", "stat", "mntr", "cons", "wchs", "ensemble"]) {
      expect((await call(`/v1/admin/${cmd}`)).status, cmd).toBe(200);
    }
    const snapshot = await fetch(`${service.url}/v1/admin/snapshot?member=1`, {
      headers: { "x-auth-digest": "operator:pw" },
    });
    expect(snapshot.status).toBe(200);
    expect(Number(snapshot.headers.get("x-edgekeeper-snapshot-index"))).toBeGreaterThan(0);
    expect((await snapshot.arrayBuffer()).byteLength).toBeGreaterThan(100);
    expect(((await call("/metrics")).body.text as string).includes("edgekeeper_is_leader")).toBe(
      true,
    );
    expect((await call("/v1/openapi.json")).body).toMatchObject({ openapi: "3.1.0" });
    expect((await call("/v1/docs")).status).toBe(200);
  });

  it("removes an HTTP session's ephemeral once the session expires", async () => {
    const s = await call("/v1/sessions", { method: "POST", json: { timeoutMs: 4000 } });
    expect(s.status).toBe(201);
    const headers = {
      "x-session-id": s.body.sessionId as string,
      "x-session-password": s.body.password as string,
    };
    expect(
      (await call("/v1/znodes/short-lived?mode=ephemeral", { method: "POST", headers })).status,
    ).toBe(201);
    const since = (await call("/v1/watch/short-lived?wait=0")).body.zxid as number;
    // No keep-alives: the leader expires the session and deletes the node; the poll hears it.
    const gone = await call(`/v1/watch/short-lived?since=${since}&wait=30`);
    expect(gone.body).toMatchObject({ events: [{ event: "NodeDeleted", path: "/short-lived" }] });
    expect((await call("/v1/znodes/short-lived")).status).toBe(404);
    expect(
      (await call("/v1/znodes/x?mode=ephemeral", { method: "POST", headers })).body,
    ).toMatchObject({
      error: { name: "UNKNOWNSESSION" },
    });
  });

  it("answers bad input with the documented errors and keeps serving", async () => {
    const cases: Array<[string, RequestInit & { json?: unknown }, number]> = [
      [
        "/v1/znodes/b",
        { method: "POST", body: "{", headers: { "content-type": "application/json" } },
        400,
      ],
      ["/v1/znodes/b", { method: "POST", json: { data: 1 } }, 400],
      ["/v1/znodes/b", { method: "POST", body: new Uint8Array(1024 * 1024 + 1) }, 413],
      ["/v1/znodes/a//b", { method: "POST" }, 400],
      ["/v1/multi", { method: "POST", json: { ops: [{ op: "nope" }] } }, 400],
      ["/v1/nothing-here", {}, 404],
    ];
    for (const [path, init, status] of cases) {
      const res = await call(path, init);
      expect(res.status, path).toBe(status);
      expect(res.body, path).toMatchObject({
        error: { name: expect.any(String), code: expect.any(Number) },
      });
    }
    expect((await call("/v1/znodes/b")).status).toBe(404);
    expect((await call("/v1/znodes/ok", { method: "POST" })).status).toBe(201);
  });
});

describe("the served OpenAPI document", () => {
  it("generates TypeScript types that a small client type-checks against, and the client runs", async () => {
    const doc = (await (await fetch(`${service.url}/v1/openapi.json`)).json()) as OpenAPI3;
    const dir = mkdtempSync(join(tmpdir(), "edgekeeper-openapi-"));
    writeFileSync(join(dir, "api.d.ts"), astToString(await openapiTS(doc)));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(
      join(dir, "client.ts"),
      `import type { components, paths } from "./api.d.ts";

type CreateOp = paths["/v1/znodes/{path}"]["post"];
export type CreateBody = NonNullable<CreateOp["requestBody"]>["content"]["application/json"];
export type Created = CreateOp["responses"][201]["content"]["application/json"];
export type ZnodeData = components["schemas"]["ZnodeData"];
export type ApiError = components["schemas"]["Error"];

export async function create(base: string, path: string, body: CreateBody): Promise<Created> {
  const res = await fetch(base + "/v1/znodes" + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(((await res.json()) as ApiError).error.name);
  return (await res.json()) as Created;
}

export async function read(base: string, path: string): Promise<ZnodeData> {
  return (await (await fetch(base + "/v1/znodes" + path)).json()) as ZnodeData;
}

export async function main(base: string): Promise<string> {
  const created = await create(base, "/typed", { data: "typed", mode: "persistent_sequential" });
  const version: number = created.stat.version;
  const owner: string = created.stat.ephemeralOwner;
  // @ts-expect-error: Stat has no such field
  created.stat.nope;
  const data = await read(base, created.path);
  const encoding: "utf8" | "base64" = data.encoding;
  return [created.path, version, owner, data.data, encoding].join(" ");
}

// Never called: only compiled, so the wrong mode must be a type error.
export const wrongMode = (base: string) =>
  // @ts-expect-error: not a create mode
  create(base, "/typed", { mode: "bogus" });

if (process.argv[2]) console.log(await main(process.argv[2]));
`,
    );
    writeFileSync(
      join(dir, "tsconfig.json"),
      consumerTsconfig(["client.ts"], {
        allowImportingTsExtensions: true,
        types: ["node"],
        typeRoots: [join(root, "node_modules/@types")],
      }),
    );
    const exec = (command: string, args: string[]) =>
      new Promise<string>((resolve, reject) =>
        execFile(command, args, { cwd: dir }, (error, stdout, stderr) =>
          error ? reject(new Error(`${stdout}${stderr}`)) : resolve(stdout),
        ),
      );
    await exec(join(root, "node_modules/.bin/tsc"), ["-p", join(dir, "tsconfig.json")]);
    // Node runs it as written (types stripped): the types matched what the service answers.
    const out = await exec(join(root, "node_modules/.bin/node"), [
      join(dir, "client.ts"),
      service.url,
    ]);
    expect(out).toMatch(/^\/typed\d{10} 0 0 typed utf8\n$/);
  });
});
