// The `EdgeKeeper` entry point another Worker binds to, in a deployment with auth on: the binding
// needs no token, its props set the caller's name and scope (and nothing else can), ZooKeeper's
// errors come back readable, and the SDK's sessions run over the binding's fetch.

import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { EdgeKeeperBindingClient } from "../../src/client/binding-client.ts";
import { KeeperError } from "../../src/client/keeper-error.ts";
import { call } from "./helpers.ts";

const bindingOf = (props?: Record<string, unknown>) =>
  exports.EdgeKeeper(props === undefined ? {} : { props });
const asBinding = (props?: Record<string, unknown>) =>
  new EdgeKeeperBindingClient(bindingOf(props));

async function refusal(op: Promise<unknown>): Promise<KeeperError | null> {
  try {
    await op;
    return null;
  } catch (e) {
    if (e instanceof KeeperError) return e;
    throw e;
  }
}

describe("the service binding entry point", () => {
  it("serves the client operations without a token, as a writer by default", async () => {
    const rpc = asBinding();
    const created = await rpc.create("/bound", "via rpc");
    expect(created.path).toBe("/bound");
    const { data, stat } = await rpc.getData("/bound");
    expect(new TextDecoder().decode(data)).toBe("via rpc");
    expect((await rpc.setData("/bound", "again", stat.version)).version).toBe(stat.version + 1);
    expect((await rpc.getChildren("/")).children).toContain("bound");
    expect(await rpc.sync()).toBeGreaterThan(0);
    expect(await rpc.exists("/bound-missing")).toBeNull();
    // The same request from outside without a token is still refused.
    expect((await call(null, "/v1/znodes/bound")).status).toBe(401);
  });

  it("gives ZooKeeper's errors back with name, code and path", async () => {
    const rpc = asBinding();
    const missing = await refusal(rpc.getData("/nowhere"));
    expect(missing).toMatchObject({ error: "NONODE", code: -101, path: "/nowhere" });
    await rpc.create("/bound-versioned", "x").catch(() => {});
    const stale = await refusal(rpc.setData("/bound-versioned", "y", 99));
    expect(stale).toMatchObject({ error: "BADVERSION", code: -103, path: "/bound-versioned" });
    expect(await refusal(rpc.create("no-slash", ""))).toMatchObject({ error: "BADARGUMENTS" });
    // A name with URL syntax in it stays one znode name.
    const odd = await rpc.create("/bound-odd?name#with%25", "");
    expect(odd.path).toBe("/bound-odd?name#with%25");
    expect((await rpc.getChildren("/")).children).toContain("bound-odd?name#with%25");
  });

  it("takes the caller's scope from the binding's props: a read binding cannot write", async () => {
    const reader = asBinding({ name: "reports", scope: "read" });
    expect((await reader.getChildren("/")).children.length).toBeGreaterThan(0);
    const refused = await refusal(reader.create("/bound-by-reader", ""));
    expect(refused).toMatchObject({ error: "NOAUTH" });
    expect(await asBinding().exists("/bound-by-reader")).toBeNull();
    const admin = bindingOf({ scope: "admin" });
    const res = await admin.fetch("https://edgekeeper.binding/v1/admin/ruok");
    expect(res.status).toBe(200);
    const writer = bindingOf();
    expect((await writer.fetch("https://edgekeeper.binding/v1/admin/ruok")).status).toBe(403);
    // Props that are not a name and a scope are refused, not guessed at.
    expect(await refusal(asBinding({ scope: "root" }).getData("/bound"))).toMatchObject({
      error: "BADARGUMENTS",
    });
  });

  it("runs the SDK's session over the binding's fetch: ephemerals and watches", async () => {
    const rpc = asBinding({ name: "sessions" });
    const zk = await rpc.session({ sessionTimeoutMs: 10_000 });
    try {
      await zk.create("/bound-session", "", { mode: "ephemeral" });
      const changed = new Promise<string>((resolve) =>
        zk.getData("/bound-session", { watch: (e) => resolve(e.event) }),
      );
      await rpc.setData("/bound-session", "poked");
      expect(await changed).toBe("NodeDataChanged");
    } finally {
      await zk.close();
    }
    // The ephemeral went with the session.
    expect(await rpc.exists("/bound-session")).toBeNull();
  });
});
