// Apache ZooKeeper's own zkCli.sh (Debian's zookeeper package, installed by .ci/run) against
// edgekeeper through the bridge: node kinds, versions, children, Stat, ACLs, errors.

import { execFile } from "node:child_process";
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
  });
});
