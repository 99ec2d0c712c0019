// The SDK against the running service: every operation, typed errors, one-shot and persistent
// watches, and the async-iterator form.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EdgeKeeperClient,
  EdgeKeeperHttpClient,
  KeeperError,
  type WatchEvent,
} from "../../src/client/index.ts";
import { type RunningService, startService } from "./service.ts";

let service: RunningService;

beforeAll(async () => {
  service = await startService();
});

afterAll(async () => {
  await service?.stop();
});

function next<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("SDK", () => {
  it("runs ZooKeeper's operations as promises with typed errors", async () => {
    const zk = await EdgeKeeperClient.connect({ url: service.url, member: 1 });
    expect(zk.state).toBe("connected");
    const created = await zk.create("/sdk", "hello");
    expect(created).toMatchObject({ path: "/sdk", stat: { version: 0 } });
    expect(new TextDecoder().decode((await zk.getData("/sdk")).data)).toBe("hello");
    expect((await zk.setData("/sdk", new Uint8Array([0, 255]), 0)).version).toBe(1);
    expect([...(await zk.getData("/sdk")).data]).toEqual([0, 255]);
    await expect(zk.setData("/sdk", "x", 0)).rejects.toMatchObject({
      error: "BADVERSION",
      code: -103,
    });
    const seq = await zk.create("/sdk/item-", "", { mode: "persistent_sequential" });
    expect(seq.path).toBe("/sdk/item-0000000000");
    expect((await zk.getChildren("/sdk")).children).toEqual(["item-0000000000"]);
    expect(await zk.exists("/nope")).toBeNull();
    await zk.multi([
      { op: "create", path: "/sdk/m" },
      { op: "check", path: "/sdk", version: 1 },
    ]);
    await expect(zk.multi([{ op: "delete", path: "/sdk" }])).rejects.toBeInstanceOf(KeeperError);
    expect(await zk.sync()).toBeGreaterThan(0);
    await zk.setACL("/sdk/m", [{ perms: "rwcda", scheme: "world", id: "anyone" }]);
    expect((await zk.getACL("/sdk/m")).acl).toEqual([{ perms: 31, scheme: "world", id: "anyone" }]);
    await zk.delete("/sdk/m");
    await zk.addAuth("digest", "alice:secret");
    await zk.create("/sdk/private", "", { acl: [{ perms: "rwcda", scheme: "auth", id: "" }] });
    expect((await zk.getACL("/sdk/private")).acl).toEqual([
      { perms: 31, scheme: "digest", id: expect.stringMatching(/^alice:/) },
    ]);
    const stranger = await EdgeKeeperClient.connect({ url: service.url, member: 2 });
    await expect(stranger.getData("/sdk/private")).rejects.toMatchObject({
      error: "NOAUTH",
      code: -102,
    });
    await stranger.close();
    const stop = await zk.addWatch("/sdk", () => {});
    await stop();
    await zk.close();
    expect(zk.state).toBe("closed");
  });

  it("delivers one-shot and persistent watch events, and iterates a persistent watch", async () => {
    const watcher = await EdgeKeeperClient.connect({ url: service.url, member: 0 });
    const writer = await EdgeKeeperClient.connect({ url: service.url, member: 2 });
    const created = next<WatchEvent>();
    expect(await watcher.exists("/w", { watch: created.resolve })).toBeNull();
    const iterator = watcher.watch("/w", { recursive: true });
    const seen: WatchEvent[] = [];
    const collected = (async () => {
      for await (const e of iterator) {
        seen.push(e);
        if (seen.length === 3) break;
      }
    })();
    await iterator.ready;
    const a = await writer.create("/w", "1");
    expect(await created.promise).toMatchObject({ event: "NodeCreated", path: "/w" });
    await writer.create("/w/child");
    await writer.setData("/w", "2");
    await collected;
    expect(seen.map((e) => `${e.event} ${e.path}`)).toEqual([
      "NodeCreated /w",
      "NodeCreated /w/child",
      "NodeDataChanged /w",
    ]);
    expect(seen[0]?.zxid).toBe((a.stat as { czxid: number }).czxid);
    await iterator.close();
    await watcher.close();
    await writer.close();
  });

  it("works over plain HTTP too: operations, an ephemeral owned by an HTTP session, long-poll watches", async () => {
    const http = await EdgeKeeperHttpClient.connect({ url: service.url, sessionTimeoutMs: 10_000 });
    await http.create("/http-sdk", "a");
    expect(new TextDecoder().decode((await http.getData("/http-sdk")).data)).toBe("a");
    expect((await http.setData("/http-sdk", "b", 0)).version).toBe(1);
    await expect(http.setData("/http-sdk", "c", 0)).rejects.toMatchObject({ error: "BADVERSION" });
    const eph = await http.create("/http-sdk/e", "", { mode: "ephemeral" });
    expect(eph.stat.ephemeralOwner).toBe(http.sessionId);
    expect((await http.getChildren("/http-sdk")).children).toEqual(["e"]);
    expect(await http.exists("/nope")).toBeNull();
    // From the zxid of our own last write: nothing after it can be missed, however the poll races.
    const stream = http.watch("/http-sdk", { recursive: true, sinceZxid: eph.stat.czxid });
    const it = stream[Symbol.asyncIterator]();
    const first = it.next();
    const other = await EdgeKeeperClient.connect({ url: service.url });
    const changed = await other.setData("/http-sdk", "d");
    expect((await first).value).toMatchObject({
      event: "NodeDataChanged",
      path: "/http-sdk",
      zxid: changed.mzxid,
    });
    stream.close();
    await http.close();
    expect(await other.exists("/http-sdk/e")).toBeNull();
    await other.close();
  });
});
