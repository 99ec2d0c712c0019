// The service started as `npm start` starts it serves znodes over real HTTP on loopback.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningService, startService } from "./service.ts";

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

  it("answers a missing node with the JSON error shape", async () => {
    const res = await fetch(`${service.url}/v1/znodes/missing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      error: { code: -101, name: "NONODE", path: "/missing" },
    });
  });
});
