// Apache ZooKeeper's own zkCli.sh (Debian's zookeeper package, installed by .ci/run) against
// edgekeeper through the bridge: node kinds, versions, children, Stat, ACLs, errors.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBridge, startBridge } from "./bridge.ts";
import { type RunningService, startService } from "./service.ts";

const zkCli = "/usr/share/zookeeper/bin/zkCli.sh";
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

/** Runs one zkCli command; returns its output without the JVM's logging noise. */
function cli(...command: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      zkCli,
      ["-server", `127.0.0.1:${port}`, ...command],
      { timeout: 60_000 },
      (_error, stdout, stderr) => {
        const text = `${stdout}\n${stderr}`
          .split("\n")
          .filter(
            (l) =>
              l.trim() !== "" &&
              !/SLF4J|log4j|Connecting to|WATCHER::|WatchedEvent|^JLine|Welcome to ZooKeeper/.test(
                l,
              ),
          )
          .join("\n");
        resolve(text);
      },
    );
  });
}

describe("zkCli.sh through the bridge", () => {
  it("creates every node kind and reads them back like a ZooKeeper server", async () => {
    expect(await cli("create", "/zkcli", "hello")).toContain("Created /zkcli");
    expect(await cli("get", "/zkcli")).toContain("hello");
    expect(await cli("create", "-s", "/zkcli/s-", "x")).toContain("Created /zkcli/s-0000000000");
    expect(await cli("create", "-c", "/zkcli/box")).toContain("Created /zkcli/box");
    expect(await cli("create", "-e", "/zkcli/eph")).toContain("Created /zkcli/eph");
    expect(await cli("ls", "/zkcli")).toContain("[box, eph, s-0000000000]");
    expect(await cli("set", "-v", "0", "/zkcli", "world")).not.toContain("version No is not valid");
    expect(await cli("set", "-v", "0", "/zkcli", "again")).toContain("version No is not valid");
    const stat = await cli("get", "-s", "/zkcli");
    expect(stat).toContain("world");
    expect(stat).toContain("dataVersion = 1");
    // box, s-0000000000, and eph: a one-shot zkCli exits without closing its session, so its
    // ephemeral lives until the session times out, exactly as on a ZooKeeper server.
    expect(stat).toContain("numChildren = 3");
    expect(await cli("getAcl", "/zkcli")).toContain("'world,'anyone\n: cdrwa");
    expect(await cli("delete", "/nope")).toContain("Node does not exist: /nope");
    expect(await cli("delete", "/zkcli")).toContain("Node not empty: /zkcli");
    expect(await cli("stat", "/zkcli/eph")).toContain("numChildren = 0");
    // zkCli's config reads /zookeeper/config (getConfig): the ensemble's members.
    expect(await cli("config")).toContain(
      "server.0=member-0:participant\nserver.1=member-1:participant\nserver.2=member-2:participant\nversion=0",
    );
  });
});

/** An interactive zkCli fed through a pipe: one command per line, output collected as it comes. */
class ZkCliShell {
  private output = "";
  private readonly waiters = new Set<() => void>();
  private readonly child: ChildProcess;

  constructor(port: number) {
    this.child = spawn(zkCli, ["-server", `127.0.0.1:${port}`], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    const take = (chunk: Buffer) => {
      this.output += chunk.toString();
      for (const wake of this.waiters) wake();
    };
    this.child.stdout?.on("data", take);
    this.child.stderr?.on("data", take);
  }

  send(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  /** Resolves once the output holds `count` matches of the pattern; the output so far otherwise. */
  until(pattern: RegExp, count = 1, timeoutMs = 30_000): Promise<string> {
    const global = new RegExp(pattern.source, `${pattern.flags.replace("g", "")}g`);
    const done = () => (this.output.match(global)?.length ?? 0) >= count;
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(this.output);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`zkCli never printed ${pattern} ×${count}; it printed:\n${this.output}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** The watch events printed so far, as "type path" lines. */
  events(): string[] {
    return [...this.output.matchAll(/WatchedEvent state:SyncConnected type:(\w+) path:(\S+)/g)]
      .filter((m) => m[1] !== "None")
      .map((m) => `${m[1]} ${m[2]}`);
  }

  quit(): void {
    this.send("quit");
    this.child.stdin?.end();
  }
}

describe("an interactive zkCli.sh through the bridge", () => {
  it("hears persistent, recursive and one-shot watches fired by another client", async () => {
    const shell = new ZkCliShell(port);
    try {
      await shell.until(/SyncConnected type:None/);
      shell.send("create /pw base");
      shell.send("create /pw/once x");
      await shell.until(/Created \/pw\/once/);
      shell.send("addWatch -m PERSISTENT_RECURSIVE /pw");
      shell.send("addWatch /pw/one");
      shell.send("get -w /pw/once");
      await shell.until(/^x$/m);
      // Another client (one-shot zkCli processes, each its own session) changes the tree.
      expect(await cli("create", "/pw/a", "1")).toContain("Created /pw/a");
      expect(await cli("create", "/pw/a/deep", "2")).toContain("Created /pw/a/deep");
      expect(await cli("set", "/pw/once", "y")).not.toContain("Exception");
      expect(await cli("create", "/pw/one", "1")).toContain("Created /pw/one");
      expect(await cli("set", "/pw/one", "2")).not.toContain("Exception");
      expect(await cli("delete", "/pw/one")).not.toContain("Exception");
      expect(await cli("set", "/pw/once", "z")).not.toContain("Exception");
      await shell.until(/type:NodeDeleted path:\/pw\/one/);
      shell.send("create /pw/last x");
      await shell.until(/Created \/pw\/last/);
      // zkCli prints events from its event thread, so the reply can be printed before the event.
      await shell.until(/type:NodeCreated path:\/pw\/last/);
      // A recursive watch never hears NodeChildrenChanged; the one-shot data watch on /pw/once
      // fires once (the second set is heard through the recursive watch only); the persistent
      // watch on /pw/one and the recursive one on /pw share the default watcher, so ZooKeeper
      // delivers each event once.
      expect(shell.events()).toEqual([
        "NodeCreated /pw/a",
        "NodeCreated /pw/a/deep",
        "NodeDataChanged /pw/once",
        "NodeCreated /pw/one",
        "NodeDataChanged /pw/one",
        "NodeDeleted /pw/one",
        "NodeDataChanged /pw/once",
        "NodeCreated /pw/last",
      ]);
    } finally {
      shell.quit();
    }
  });

  it("creates TTL nodes and keeps digest ACLs from other sessions", async () => {
    const shell = new ZkCliShell(port);
    try {
      await shell.until(/SyncConnected type:None/);
      shell.send("create -t 60000 /ttl-node x");
      await shell.until(/Created \/ttl-node/);
      shell.send("addauth digest alice:secret");
      shell.send("create /guarded mine auth::cdrwa");
      await shell.until(/Created \/guarded/);
      shell.send("get /guarded");
      await shell.until(/^mine$/m);
      shell.send("getAcl /guarded");
      await shell.until(/'digest,'alice:/);
    } finally {
      shell.quit();
    }
    expect(await cli("get", "-s", "/ttl-node")).toContain("dataVersion = 0");
    expect(await cli("get", "/guarded")).toContain("Insufficient permission : /guarded");
  });
});
