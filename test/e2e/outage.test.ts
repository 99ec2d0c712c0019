// A real outage: the local service is stopped for 30 s and started again on the same port and
// storage. Every client must come back by itself — the SDK and the CLI's `watch` resume their
// sessions and watches with no missed event — or, when the outage outlived its session, report
// that the session expired. Nothing may stay "connecting" forever.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { killGroup } from "../../src/bench/local-service.ts";
import { type ConnectionState, EdgeKeeperClient, type WatchEvent } from "../../src/client/index.ts";
import { exponentialBackoff } from "../../src/client/retry-policy.ts";
import { freePort, type RunningService, startService } from "./service.ts";

const root = join(import.meta.dirname, "../..");
const node = join(root, "node_modules/.bin/node");
const cli = join(root, "src/cli/main.ts");
const outageMs = 30_000;
const stateDir = mkdtempSync(join(tmpdir(), "edgekeeper-outage-"));
const running: RunningService[] = [];
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const c of children) await killGroup(c);
  for (const s of running) await s.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

async function eventually<T>(
  what: string | (() => string),
  probe: () => T | undefined,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("a 30 s outage of the whole service", () => {
  it("every client resumes its session and watches, or reports that it expired", async () => {
    const port = await freePort();
    const startedAt = Date.now();
    const first = await startService({ port, stateDir });
    // The service is down from its stop until it answers again: starting takes this long.
    const startupMs = Date.now() - startedAt;
    running.push(first);
    const url = first.url;
    const quickRetry = () => exponentialBackoff({ baseMs: 200, maxMs: 1_000 });
    const survivor = await EdgeKeeperClient.connect({
      url,
      sessionTimeoutMs: 40_000,
      retryPolicy: quickRetry(),
    });
    const shortLived = await EdgeKeeperClient.connect({
      url,
      sessionTimeoutMs: 10_000,
      retryPolicy: quickRetry(),
    });
    const survivorStates: ConnectionState[] = [];
    const shortStates: ConnectionState[] = [];
    survivor.onState((s) => survivorStates.push(s));
    shortLived.onState((s) => shortStates.push(s));
    await survivor.create("/outage", "");
    const events: WatchEvent[] = [];
    await survivor.addWatch("/outage", (e) => events.push(e), { recursive: true });
    const session = survivor.sessionId;

    // The CLI's watch, as a user runs it, with a session long enough to outlive the outage.
    let cliOut = "";
    let cliErr = "";
    const watcher = spawn(
      node,
      [cli, "watch", "-R", "/outage", "--url", url, "--session-timeout", "40000"],
      { detached: true, stdio: ["ignore", "pipe", "pipe"] },
    );
    children.push(watcher);
    watcher.stdout?.on("data", (d) => {
      cliOut += d;
    });
    const t0 = Date.now();
    watcher.stderr?.on("data", (d) => {
      cliErr += `[${Date.now() - t0} ms] ${d}`;
    });
    await eventually("the CLI's watch", () =>
      cliErr.includes("watch: watching") ? true : undefined,
    );
    await survivor.create("/outage/before", "");
    await eventually("the CLI's first event", () =>
      cliOut.includes("NodeCreated /outage/before") ? true : undefined,
    );

    const stopAt = Date.now();
    await first.stop();
    running.pop();
    const downAt = Date.now();
    console.log(
      `outage: stopping took ${downAt - stopAt} ms; CLI stderr so far at ${downAt - t0} ms`,
    );
    await eventually("the clients to notice", () =>
      survivorStates.includes("suspended") && shortStates.includes("suspended") ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, outageMs - startupMs - (Date.now() - downAt)));
    // The short session's timeout passed long ago: it knows by its own clock.
    expect(shortLived.state).toBe("expired");

    const second = await startService({ port, stateDir });
    running.push(second);
    const backAt = Date.now();
    console.log(`outage: the service was down for ${backAt - downAt} ms`);
    const writer = await EdgeKeeperClient.connect({ url });
    await writer.create("/outage/after", "");
    await eventually(
      () => `the survivor to resume (states: ${survivorStates.join(", ")})`,
      () => (survivor.state === "reconnected" ? true : undefined),
    );
    const reconnectMs = Date.now() - backAt;
    console.log(`outage: service back → SDK client reconnected in ${reconnectMs} ms`);
    expect(survivor.sessionId).toBe(session);
    await eventually("the event written while it was away", () =>
      events.some((e) => e.path === "/outage/after") ? true : undefined,
    );
    expect(events.map((e) => `${e.event} ${e.path}`)).toEqual([
      "NodeCreated /outage/before",
      "NodeCreated /outage/after",
    ]);
    expect(survivorStates).toEqual(["suspended", "reconnected"]);
    expect(shortStates).toEqual(["suspended", "expired"]);

    await eventually(
      () => `the CLI's watch to resume (stderr: ${cliErr}; stdout: ${cliOut})`,
      () => (cliOut.includes("NodeCreated /outage/after") ? true : undefined),
    );
    expect(cliErr).toMatch(/watch: connection lost; reconnecting/);
    expect(cliErr).toMatch(/watch: back; session 0x[0-9a-f]+ resumed/);
    expect(watcher.exitCode).toBeNull();

    await writer.close();
    await survivor.close();
  }, 180_000);
});
