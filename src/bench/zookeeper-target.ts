// The benchmark's Apache ZooKeeper side: a 3-server ensemble of Debian's `zookeeper` package on
// loopback, driven by node-zookeeper-client with the same workloads.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { arrival, type BenchSession, type BenchTarget } from "./bench-target.ts";
import { freePort, killGroup, superviseGroup } from "./local-service.ts";
import { groupPids } from "./process-memory.ts";

export const zkServerScript = "/usr/share/zookeeper/bin/zkServer.sh";

export function zookeeperInstalled(): boolean {
  return existsSync(zkServerScript);
}

export async function zookeeperTarget(options: { servers: number }): Promise<BenchTarget> {
  const zookeeper = (await import("node-zookeeper-client")).default;
  const dir = mkdtempSync(join(tmpdir(), "edgekeeper-bench-zk-"));
  const ports = await Promise.all(
    Array.from({ length: options.servers }, async () => ({
      client: await freePort(),
      quorum: await freePort(),
      election: await freePort(),
    })),
  );
  const members = ports
    .map((p, i) => `server.${i + 1}=127.0.0.1:${p.quorum}:${p.election}`)
    .join("\n");
  const children: ChildProcess[] = ports.map((p, i) => {
    const home = join(dir, `server${i + 1}`);
    mkdirSync(join(home, "data"), { recursive: true });
    writeFileSync(join(home, "data", "myid"), `${i + 1}\n`);
    writeFileSync(
      join(home, "zoo.cfg"),
      [
        "tickTime=2000",
        "initLimit=10",
        "syncLimit=5",
        `dataDir=${join(home, "data")}`,
        `clientPort=${p.client}`,
        "clientPortAddress=127.0.0.1",
        "admin.enableServer=false",
        "maxClientCnxns=0",
        members,
        "",
      ].join("\n"),
    );
    return spawn(zkServerScript, ["start-foreground", join(home, "zoo.cfg")], {
      stdio: "ignore",
      detached: true,
      env: { ...process.env, ZOO_LOG_DIR: home, ZOOCFGDIR: home },
    });
  });
  // Interrupted mid-run, the servers stop with the bench instead of outliving it.
  const unsupervise = children.map(superviseGroup);
  const stop = async () => {
    await Promise.all(children.map((c) => killGroup(c)));
    for (const done of unsupervise) done();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForQuorum(ports.map((p) => p.client));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    name: "zookeeper",
    async connect(index) {
      const port = ports[index % ports.length]?.client ?? 0;
      const client = zookeeper.createClient(`127.0.0.1:${port}`, {
        sessionTimeout: 30_000,
        retries: 0,
      });
      await new Promise<void>((resolve) => {
        client.once("connected", () => resolve());
        client.connect();
      });
      const call = (fn: (cb: (error: Error | null) => void) => void) =>
        new Promise<void>((resolve, reject) => fn((e) => (e ? reject(e) : resolve())));
      const open = zookeeper.ACL.OPEN_ACL_UNSAFE;
      const persistent = zookeeper.CreateMode.PERSISTENT;
      const session: BenchSession = {
        create: (path, value) =>
          call((cb) => client.create(path, Buffer.from(value), open, persistent, cb)),
        setData: (path, value) => call((cb) => client.setData(path, Buffer.from(value), -1, cb)),
        getData: (path) => call((cb) => client.getData(path, cb)),
        createAll: (paths, value) =>
          call((cb) => {
            const txn = client.transaction();
            for (const path of paths) txn.create(path, Buffer.from(value), open, persistent);
            txn.commit(cb);
          }),
        watchData: async (path) => {
          const event = arrival();
          await call((cb) => client.getData(path, event.mark, cb));
          return { fired: event.fired };
        },
        close: async () => client.close(),
      };
      return session;
    },
    serverPids: () => children.flatMap((c) => (c.pid ? groupPids(c.pid, "java") : [])),
    stop,
  };
}

/** Waits until one server says it leads and every server answers `srvr`. */
async function waitForQuorum(clientPorts: number[], timeoutMs = 90_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const modes = await Promise.all(clientPorts.map((port) => fourLetterWord(port, "srvr")));
    if (modes.some((m) => m.includes("Mode: leader")) && modes.every((m) => m.includes("Mode:")))
      return;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`the ZooKeeper ensemble did not form within ${timeoutMs} ms`);
}

function fourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    const socket = createConnection({ host: "127.0.0.1", port }, () => socket.end(word));
    socket.setTimeout(2_000, () => socket.destroy());
    socket.on("data", (chunk) => {
      text += chunk.toString();
    });
    socket.on("close", () => resolve(text));
    socket.on("error", () => resolve(""));
  });
}
