// The service started as `npm start` starts it serves znodes over real HTTP on loopback.

import { execFile } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type RunningService, startService } from "./service.ts";

const root = join(import.meta.dirname, "../..");

/** The `edgekeeper` CLI as a user runs it. */
function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      join(root, "node_modules/.bin/node"),
      [join(root, "src/cli/main.ts"), ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

let service: RunningService;

beforeAll(async () => {
  service = await startService();
});

afterAll(async () => {
  await service?.stop();
});

describe("npm start", () => {
  it("writes and reads a znode over HTTP", async () => {
    const created = await fetch(`${service.url}/v1/znodes/app`, { method: "POST", body: "hello" });
    expect(created.status).toBe(201);
    const get = await fetch(`${service.url}/v1/znodes/app`);
    expect(get.status).toBe(200);
    expect(await get.json()).toMatchObject({ path: "/app", data: "hello", stat: { version: 0 } });
  });

  it("refuses to serve when configured like a deployment without a strong SESSION_SECRET", async () => {
    const misconfigured = await startService({
      vars: { AUTH: "on", AUTH_TOKENS: "app:write:t", SESSION_SECRET: "short" },
    });
    try {
      const res = await fetch(`${misconfigured.url}/v1/znodes/app`, {
        headers: { authorization: "Bearer t" },
      });
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toBe(
        "edgekeeper refuses to serve: SESSION_SECRET is shorter than 32 bytes; set it with `npx wrangler secret put SESSION_SECRET` (e.g. the output of `openssl rand -base64 48`)",
      );
    } finally {
      await misconfigured.stop();
    }
  });

  it("the CLI says a refused token and an unreachable service apart, with their exit codes", async () => {
    const guarded = await startService({
      vars: { AUTH: "on", AUTH_TOKENS: "app:write:good-token" },
    });
    try {
      const bad = await cli("ls", "/", "--url", guarded.url, "--token", "wrong-token");
      expect(bad.code).toBe(4);
      expect(bad.stderr).toMatch(/AUTHFAILED \(-115\).*refused the token/);
      const good = await cli("ls", "/", "--url", guarded.url, "--token", "good-token");
      expect(good.code).toBe(0);
      expect(good.stdout).toContain("zookeeper");
    } finally {
      await guarded.stop();
    }
    const port = await freePort();
    const gone = await cli("ls", "/", "--url", `http://127.0.0.1:${port}`);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toContain(`http://127.0.0.1:${port}`);
  }, 120_000);

  it("answers a missing node with the JSON error shape", async () => {
    const res = await fetch(`${service.url}/v1/znodes/missing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      error: { code: -101, name: "NONODE", path: "/missing" },
    });
  });
});
