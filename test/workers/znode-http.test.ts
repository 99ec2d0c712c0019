// The first slice inside workerd: znodes written over HTTP land in a member's SQLite and outlive
// the member's eviction.

import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Member } from "../../durable-objects/member.ts";

const base = "http://edgekeeper.test/v1/znodes";

function request(path: string, init?: RequestInit) {
  return exports.default.fetch(new Request(`${base}${path}`, init));
}

/** What member 0 has applied: unchanged when a request stored nothing. */
async function appliedTree() {
  const status = await env.MEMBER.getByName("default/0").status();
  return { appliedIndex: status.appliedIndex, nodeCount: status.nodeCount, digest: status.digest };
}

describe("znodes over HTTP", () => {
  it("reads back a write after the member is evicted", async () => {
    const created = await request("/app", { method: "POST", body: "hello" });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      path: "/app",
      stat: { version: 0, dataLength: 5 },
    });

    const member = env.MEMBER.getByName("default/0");
    const marked = new WeakSet<Member>();
    await runInDurableObject(member, (instance: Member) => {
      marked.add(instance);
    });
    await evictDurableObject(member);
    // A fresh instance proves the read below comes from storage, not from the old object's memory.
    const fresh = await runInDurableObject(member, (instance: Member) => !marked.has(instance));
    expect(fresh).toBe(true);

    const get = await request("/app");
    expect(get.status).toBe(200);
    expect(await get.json()).toMatchObject({
      path: "/app",
      data: "hello",
      encoding: "utf8",
      stat: { version: 0, dataLength: 5 },
    });
  });

  it("counts versions and keeps binary data exact", async () => {
    const bytes = new Uint8Array([0, 255, 128, 1]);
    await request("/bin", { method: "POST", body: "x" });
    const put = await request("/bin", { method: "PUT", body: bytes });
    expect(await put.json()).toMatchObject({ stat: { version: 1, dataLength: 4 } });
    const body = (await (await request("/bin")).json()) as { data: string; encoding: string };
    expect(body.encoding).toBe("base64");
    expect(Uint8Array.from(atob(body.data), (ch) => ch.charCodeAt(0))).toEqual(bytes);
  });

  it("answers NONODE for a missing node", async () => {
    const res = await request("/missing");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: -101, name: "NONODE", path: "/missing", message: "/missing does not exist" },
    });
  });

  // URLs resolve "." and ".." segments (even percent-encoded) before they reach a route, so the
  // rules that remain visible over HTTP are these.
  it.each([
    ["/a//b", "empty node name"],
    ["/a%00b", "null character"],
    ["/a/", "must not end with /"],
    ["/%E0%A4%A", "Malformed percent-encoding"],
  ])("refuses %s with BADARGUMENTS and stores nothing", async (path, why) => {
    const before = await appliedTree();
    const res = await request(path, { method: "POST", body: "x" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: number; name: string; message: string } };
    expect(body.error).toMatchObject({ code: -8, name: "BADARGUMENTS" });
    expect(body.error.message).toContain(why);
    expect(await appliedTree()).toEqual(before);
  });

  it("refuses data over 1 MiB with 413", async () => {
    const res = await request("/big", { method: "POST", body: new Uint8Array(1024 * 1024 + 1) });
    expect(res.status).toBe(413);
    expect(await (await request("/big")).json()).toMatchObject({ error: { name: "NONODE" } });
  });
});
