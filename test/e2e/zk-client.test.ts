// An unmodified ZooKeeper client (node-zookeeper-client, from npm) talks to edgekeeper through
// `edgekeeper bridge`: create all node kinds it knows, versions, children, multi, watches, a
// four-letter word, and session expiry removing its ephemerals.

import { spawn } from "node:child_process";
import { createConnection } from "node:net";
import { join } from "node:path";
import zookeeper from "node-zookeeper-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBridge, startBridge } from "./bridge.ts";
import { type RunningService, startService } from "./service.ts";

const root = join(import.meta.dirname, "../..");
let service: RunningService;
let bridge: RunningBridge;
let port = 0;

beforeAll(async () => {
  service = await startService();
  bridge = await startBridge(service.url);
  port = bridge.port;
});

afterAll(async () => {
  bridge?.stop();
  await service?.stop();
});

type Client = ReturnType<typeof zookeeper.createClient>;

function connect(sessionTimeout = 10_000): Promise<Client> {
  const client = zookeeper.createClient(`127.0.0.1:${port}`, { sessionTimeout, retries: 0 });
  return new Promise((resolve) => {
    client.once("connected", () => resolve(client));
    client.connect();
  });
}

const call = <T>(fn: (cb: (error: Error | null, result?: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) =>
    fn((error, result) => (error ? reject(error) : resolve(result as T))),
  );

describe("node-zookeeper-client through the bridge", () => {
  it("creates, reads, sets with versions, lists, runs a transaction and gets watch events", async () => {
    const zk = await connect();
    const open = zookeeper.ACL.OPEN_ACL_UNSAFE;
    expect(
      await call<string>((cb) =>
        zk.create("/nzc", Buffer.from("v0"), open, zookeeper.CreateMode.PERSISTENT, cb),
      ),
    ).toBe("/nzc");
    const seq = await call<string>((cb) =>
      zk.create("/nzc/s-", Buffer.alloc(0), open, zookeeper.CreateMode.PERSISTENT_SEQUENTIAL, cb),
    );
    expect(seq).toBe("/nzc/s-0000000000");
    await call((cb) =>
      zk.create("/nzc/e", Buffer.alloc(0), open, zookeeper.CreateMode.EPHEMERAL, cb),
    );
    const data = await call<Buffer>((cb) => zk.getData("/nzc", cb));
    expect(data.toString()).toBe("v0");
    await call((cb) => zk.setData("/nzc", Buffer.from("v1"), 0, cb));
    await expect(call((cb) => zk.setData("/nzc", Buffer.from("v2"), 0, cb))).rejects.toMatchObject({
      code: -103,
    });
    expect((await call<string[]>((cb) => zk.getChildren("/nzc", cb))).sort()).toEqual([
      "e",
      "s-0000000000",
    ]);
    const results = await call<unknown[]>((cb) =>
      zk
        .transaction()
        .create("/nzc/t", Buffer.alloc(0), open, zookeeper.CreateMode.PERSISTENT)
        .check("/nzc", 1)
        .commit(cb),
    );
    expect(results).toHaveLength(2);
    await expect(call((cb) => zk.transaction().check("/nzc", 99).commit(cb))).rejects.toMatchObject(
      { code: -103 },
    );

    const event = new Promise<{ type: number; path: string }>((resolve) => {
      zk.getData(
        "/nzc",
        (e: { type: number; path: string }) => resolve(e),
        () => {},
      );
    });
    const other = await connect();
    await call((cb) => other.setData("/nzc", Buffer.from("v3"), -1, cb));
    expect(await event).toMatchObject({ type: 3, path: "/nzc" });
    other.close();
    zk.close();
  });

  it("answers ruok through the bridge", async () => {
    const answer = await new Promise<string>((resolve) => {
      let text = "";
      const s = createConnection(port, "127.0.0.1", () => s.write("ruok"));
      s.on("data", (d) => {
        text += d.toString();
      });
      s.on("end", () => resolve(text));
    });
    expect(answer).toBe("imok");
  });

  it("removes a killed client's ephemerals once its session expires", async () => {
    const watcher = await connect();
    // Another process owns the ephemeral and is killed: no close, just silence.
    const script = `
      const zk = require("node-zookeeper-client");
      const c = zk.createClient("127.0.0.1:${port}", { sessionTimeout: 4000 });
      c.once("connected", () => c.create("/nzc-eph", Buffer.alloc(0), zk.ACL.OPEN_ACL_UNSAFE, zk.CreateMode.EPHEMERAL,
        (e) => console.log(e ? "failed " + e : "created")));
      c.connect();`;
    const owner = spawn(join(root, "node_modules/.bin/node"), ["-e", script], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve) =>
      owner.stdout?.on("data", (d: Buffer) => d.toString().includes("created") && resolve()),
    );
    const deleted = new Promise<number>((resolve) => {
      watcher.exists(
        "/nzc-eph",
        (e: { type: number }) => resolve(e.type),
        () => {},
      );
    });
    owner.kill("SIGKILL");
    expect(await deleted).toBe(2);
    watcher.close();
  });
  it("reconnects through the bridge keeping its session and ephemerals", async () => {
    const zk = await connect(20_000);
    await call((cb) =>
      zk.create(
        "/nzc-keep",
        Buffer.alloc(0),
        zookeeper.ACL.OPEN_ACL_UNSAFE,
        zookeeper.CreateMode.EPHEMERAL,
        cb,
      ),
    );
    const before = (zk as unknown as { getSessionId(): Buffer }).getSessionId().toString("hex");
    const reconnected = new Promise<void>((resolve) => zk.once("connected", resolve));
    // Cut the TCP connection under the client: the bridge drops its WebSocket, the client
    // reconnects (its job, as with a real server) and resumes the same session.
    (
      zk as unknown as { connectionManager: { socket: { destroy(): void } } }
    ).connectionManager.socket.destroy();
    await reconnected;
    expect((zk as unknown as { getSessionId(): Buffer }).getSessionId().toString("hex")).toBe(
      before,
    );
    const data = await call<Buffer>((cb) => zk.getData("/nzc-keep", cb));
    expect(data.length).toBe(0);
    zk.close();
  });
});
