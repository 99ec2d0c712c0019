// Several ensembles in one local service, through every client: the SDK, the CLI (--ensemble and
// EDGEKEEPER_ENSEMBLE), and an unmodified ZooKeeper client through `edgekeeper bridge
// --ensemble` — each stays inside its ensemble, and the default ensemble's URLs are unchanged.

import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import zookeeper from "node-zookeeper-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EdgeKeeperClient, type WatchEvent } from "../../src/client/index.ts";
import { type RunningBridge, startBridge } from "./bridge.ts";
import { type RunningService, startService } from "./service.ts";

const root = join(import.meta.dirname, "../..");
const run = promisify(execFile);
let service: RunningService;
const bridges: RunningBridge[] = [];

beforeAll(async () => {
  service = await startService();
});

afterAll(async () => {
  for (const b of bridges) b.stop();
  await service?.stop();
});

async function api(path: string, init: RequestInit = {}) {
  const res = await fetch(`${service.url}${path}`, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const cli = (args: string[], env: Record<string, string> = {}) =>
  run(
    join(root, "node_modules/.bin/node"),
    [join(root, "src/cli/main.ts"), "--url", service.url, ...args],
    {
      env: { ...process.env, ...env },
    },
  );

describe("ensembles through every client", () => {
  it("creates two ensembles and writes to each; says how long that took", async () => {
    for (const [name, size] of [
      ["orders", 5],
      ["billing", 3],
    ] as const) {
      const started = performance.now();
      const created = await api("/v1/ensembles", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name, size }),
      });
      expect(created.status).toBe(201);
      const createdMs = performance.now() - started;
      const write = await api(`/v1/e/${name}/znodes/first`, { method: "POST", body: name });
      expect(write.status).toBe(201);
      console.log(
        `ensemble ${name} (${size} members): created in ${createdMs.toFixed(0)} ms, first write committed ${(performance.now() - started).toFixed(0)} ms after the create was sent`,
      );
    }
    // The README's tour, unchanged, is the default ensemble's.
    expect((await api("/v1/znodes/app", { method: "POST", body: "hello" })).status).toBe(201);
    expect((await api("/v1/znodes/app")).body).toMatchObject({ data: "hello" });
    expect((await api("/v1/znodes/first")).status).toBe(404);
  });

  it("the SDK's sessions and watches stay inside their ensemble", async () => {
    const orders = await EdgeKeeperClient.connect({ url: service.url, ensemble: "orders" });
    const billing = await EdgeKeeperClient.connect({ url: service.url, ensemble: "billing" });
    try {
      const heard: WatchEvent[] = [];
      await orders.addWatch("/", (e) => heard.push(e), { recursive: true });
      await orders.create("/sdk-lock", "", { mode: "ephemeral" });
      await billing.create("/sdk-billing", "b");
      await orders.create("/sdk-orders", "o");
      await orders.sync();
      // Events arrive in zxid order, ahead of the reply to the write that made the last one.
      expect(heard.map((e) => e.path)).toEqual(["/sdk-lock", "/sdk-orders"]);
      expect((await api("/v1/e/billing/znodes/sdk-lock")).status).toBe(404);
      expect((await api("/v1/znodes/sdk-lock")).status).toBe(404);
    } finally {
      await orders.close();
      await billing.close();
    }
  });

  it("the CLI takes --ensemble or EDGEKEEPER_ENSEMBLE", async () => {
    await cli(["--ensemble", "billing", "create", "/cli-flag", "f"]);
    await cli(["create", "/cli-env", "e"], { EDGEKEEPER_ENSEMBLE: "billing" });
    const listed = await cli(["--ensemble", "billing", "ls", "/"]);
    expect(listed.stdout).toContain("cli-flag");
    expect(listed.stdout).toContain("cli-env");
    expect((await cli(["ls", "/"])).stdout).not.toContain("cli-flag");
    expect((await api("/v1/e/orders/znodes/cli-env")).status).toBe(404);
  });

  it("an unmodified ZooKeeper client through bridge --ensemble sees only that ensemble", async () => {
    const bridge = await startBridge(service.url, ["--ensemble", "orders"]);
    bridges.push(bridge);
    const zk = zookeeper.createClient(`127.0.0.1:${bridge.port}`, {
      sessionTimeout: 10_000,
      retries: 0,
    });
    await new Promise<void>((resolve) => {
      zk.once("connected", () => resolve());
      zk.connect();
    });
    try {
      const children = await new Promise<string[]>((resolve, reject) =>
        zk.getChildren("/", (error, names) => (error ? reject(error) : resolve(names ?? []))),
      );
      expect(children).toContain("first");
      expect(children).toContain("sdk-orders");
      expect(children).not.toContain("app");
      await new Promise<void>((resolve, reject) =>
        zk.create(
          "/from-zk",
          Buffer.from("z"),
          zookeeper.ACL.OPEN_ACL_UNSAFE,
          zookeeper.CreateMode.PERSISTENT,
          (e) => (e ? reject(e) : resolve()),
        ),
      );
    } finally {
      zk.close();
    }
    expect((await api("/v1/e/orders/znodes/from-zk")).body).toMatchObject({ data: "z" });
    expect((await api("/v1/znodes/from-zk")).status).toBe(404);
    expect((await api("/v1/e/billing/znodes/from-zk")).status).toBe(404);
  });

  it("deleting an ensemble leaves the others and the default one as they were", async () => {
    expect((await api("/v1/ensembles/billing", { method: "DELETE" })).status).toBe(200);
    expect((await api("/v1/e/billing/znodes/cli-flag")).status).toBe(404);
    expect((await api("/v1/e/orders/znodes/first")).body).toMatchObject({ data: "orders" });
    expect((await api("/v1/znodes/app")).body).toMatchObject({ data: "hello" });
  });
});
