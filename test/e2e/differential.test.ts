// The differential test: the same seeded random operation sequences run against a real Apache
// ZooKeeper 3.8 server (Debian's package, started here on loopback) and against edgekeeper
// through the bridge, with the same client (node-zookeeper-client). Results must match op by op:
// error codes, data, children, versions, child counts, sequence numbers. Zxids and times differ
// by nature and are not compared by value.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import zookeeper from "node-zookeeper-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRng } from "../../src/core/random.ts";
import { type RunningBridge, startBridge } from "./bridge.ts";
import { freePort, type RunningService, startService } from "./service.ts";

const seed = Number(process.env.DIFF_SEED ?? 11);
const sequences = Number(process.env.DIFF_SEQUENCES ?? 4);
const opsPerSequence = Number(process.env.DIFF_OPS ?? 60);

let service: RunningService;
let bridge: RunningBridge;
let zkServer: ChildProcess;
let bridgePort = 0;
let zkPort = 0;
const zkDir = mkdtempSync(join(tmpdir(), "edgekeeper-zk-"));

type Client = ReturnType<typeof zookeeper.createClient>;

function connect(port: number): Promise<Client> {
  const client = zookeeper.createClient(`127.0.0.1:${port}`, {
    sessionTimeout: 10_000,
    retries: 0,
  });
  return new Promise((resolve) => {
    client.once("connected", () => resolve(client));
    client.connect();
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const c = await Promise.race([
        connect(port),
        new Promise<never>((_, r) => setTimeout(() => r(new Error("slow")), 2000)),
      ]);
      c.close();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`nothing answers on ${port}`);
    }
  }
}

beforeAll(async () => {
  service = await startService();
  bridge = await startBridge(service.url);
  bridgePort = bridge.port;
  zkPort = await freePort();
  const cfg = join(zkDir, "zoo.cfg");
  writeFileSync(
    cfg,
    `tickTime=2000\ndataDir=${join(zkDir, "data")}\nclientPort=${zkPort}\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n`,
  );
  zkServer = spawn("/usr/share/zookeeper/bin/zkServer.sh", ["start-foreground", cfg], {
    stdio: "ignore",
    env: { ...process.env, ZOO_LOG_DIR: zkDir, ZOOCFGDIR: zkDir },
  });
  await waitForPort(zkPort, 60_000);
}, 180_000);

afterAll(async () => {
  bridge?.stop();
  zkServer?.kill();
  await service?.stop();
  rmSync(zkDir, { recursive: true, force: true });
});

const call = <T>(
  fn: (cb: (error: Error | null, result?: T, stat?: unknown) => void) => void,
): Promise<{ result?: T; stat?: Record<string, unknown> } | { code: number }> =>
  new Promise((resolve) => {
    fn((error, result, stat) => {
      if (error) resolve({ code: (error as unknown as { code: number }).code ?? -999 });
      else resolve({ result: result as T, stat: stat as Record<string, unknown> });
    });
  });

/** The parts of a Stat that must agree between two servers. */
function statView(stat: unknown): Record<string, unknown> | undefined {
  if (!stat || typeof stat !== "object") return undefined;
  const s = stat as Record<string, unknown>;
  return {
    version: s.version,
    cversion: s.cversion,
    aversion: s.aversion,
    dataLength: s.dataLength,
    numChildren: s.numChildren,
    ephemeral: Buffer.isBuffer(s.ephemeralOwner)
      ? (s.ephemeralOwner as Buffer).some((b) => b !== 0)
      : undefined,
  };
}

type Op = (zk: Client, root: string) => Promise<unknown>;

function randomOps(
  rng: ReturnType<typeof seededRng>,
  count: number,
): Array<{ name: string; run: Op }> {
  const names = ["a", "b", "a/x", "a/y", "b/z", "s-", "a/s-"];
  const open = zookeeper.ACL.OPEN_ACL_UNSAFE;
  const modes = [
    zookeeper.CreateMode.PERSISTENT,
    zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
    zookeeper.CreateMode.EPHEMERAL,
    zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
  ];
  const ops: Array<{ name: string; run: Op }> = [];
  for (let i = 0; i < count; i++) {
    const name = names[rng.int(0, names.length - 1)] as string;
    const version = rng.chance(0.5) ? -1 : rng.int(0, 2);
    const data = Buffer.from(`d${rng.int(0, 9)}`);
    switch (rng.int(0, 6)) {
      case 0:
      case 1: {
        const mode = modes[rng.int(0, modes.length - 1)] as number;
        ops.push({
          name: `create ${name} ${mode}`,
          run: (zk, r) =>
            call<string>((cb) => zk.create(`${r}/${name}`, data, open, mode, cb)).then((x) =>
              "result" in x ? { path: String(x.result).slice(r.length) } : x,
            ),
        });
        break;
      }
      case 2:
        ops.push({
          name: `delete ${name} v${version}`,
          run: (zk, r) =>
            call((cb) => zk.remove(`${r}/${name}`, version, cb)).then((x) =>
              "code" in x ? x : { ok: true },
            ),
        });
        break;
      case 3:
        ops.push({
          name: `set ${name} v${version}`,
          run: (zk, r) =>
            call((cb) => zk.setData(`${r}/${name}`, data, version, cb)).then((x) =>
              "code" in x ? x : { stat: statView(x.result) },
            ),
        });
        break;
      case 4:
        ops.push({
          name: `get ${name}`,
          run: (zk, r) =>
            call<Buffer>((cb) => zk.getData(`${r}/${name}`, cb)).then((x) =>
              "code" in x ? x : { data: String(x.result), stat: statView(x.stat) },
            ),
        });
        break;
      case 5:
        ops.push({
          name: `children ${name}`,
          run: (zk, r) =>
            call<string[]>((cb) => zk.getChildren(`${r}/${name}`, cb)).then((x) =>
              "code" in x ? x : { children: [...(x.result ?? [])].sort() },
            ),
        });
        break;
      default:
        ops.push({
          name: `multi ${name}`,
          run: (zk, r) =>
            call<unknown[]>((cb) =>
              zk
                .transaction()
                .create(`${r}/${name}`, data, open, zookeeper.CreateMode.PERSISTENT)
                .check(`${r}/a`, version)
                .commit(cb),
            ).then((x) => ("code" in x ? x : { ok: (x.result ?? []).length })),
        });
    }
  }
  return ops;
}

describe("differential: edgekeeper vs Apache ZooKeeper 3.8", () => {
  it(`agrees op by op on ${sequences} seeded sequences (seed=${seed}; replay with DIFF_SEED)`, async () => {
    console.log(`differential: seed=${seed} sequences=${sequences} ops=${opsPerSequence}`);
    const ours = await connect(bridgePort);
    const theirs = await connect(zkPort);
    let compared = 0;
    for (let s = 0; s < sequences; s++) {
      const rng = seededRng(seed * 1000 + s);
      const base = `/diff-${seed}-${s}`;
      for (const zk of [ours, theirs])
        await call((cb) =>
          zk.create(
            base,
            Buffer.alloc(0),
            zookeeper.ACL.OPEN_ACL_UNSAFE,
            zookeeper.CreateMode.PERSISTENT,
            cb,
          ),
        );
      for (const op of randomOps(rng, opsPerSequence)) {
        const [a, b] = [await op.run(ours, base), await op.run(theirs, base)];
        expect(a, `sequence ${s}, op ${compared}: ${op.name}`).toEqual(b);
        compared++;
      }
    }
    console.log(`differential: ${compared} operations compared, all equal`);
    ours.close();
    theirs.close();
  });
});
