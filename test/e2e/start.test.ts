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

  it("answers a missing node with the JSON error shape", async () => {
    const res = await fetch(`${service.url}/v1/znodes/missing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      error: { code: -101, name: "NONODE", path: "/missing" },
    });
  });
});
