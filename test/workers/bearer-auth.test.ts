// Token auth: with auth on, every /v1 route needs a valid bearer token; it is refused safely when
// no token is configured; AUTH=off (local development) lets requests through.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../src/api/app.ts";

const withAuth = {
  ...env,
  AUTH: "on",
  AUTH_TOKENS: "alpha-token, beta-token",
  SESSION_SECRET: "a session secret of at least thirty-two bytes",
};

function call(path: string, init: RequestInit, bindings: object) {
  return app.request(`http://edgekeeper.test${path}`, init, bindings);
}

describe("bearer auth", () => {
  it.each([
    ["no header", {}, 401],
    ["a wrong token", { authorization: "Bearer nope" }, 401],
    ["a non-bearer scheme", { authorization: "Basic YWxwaGE6" }, 401],
    ["the first token", { authorization: "Bearer alpha-token" }, 404],
    ["the second token", { authorization: "Bearer beta-token" }, 404],
  ])("with %s answers %i", async (_, headers, status) => {
    const res = await call("/v1/znodes/nothing-here", { headers }, withAuth);
    expect(res.status).toBe(status);
    if (status === 401)
      expect(await res.json()).toMatchObject({ error: { code: -115, name: "AUTHFAILED" } });
  });

  it("refuses writes without a token and changes nothing", async () => {
    const res = await call("/v1/znodes/guarded", { method: "POST", body: "x" }, withAuth);
    expect(res.status).toBe(401);
    const after = await call(
      "/v1/znodes/guarded",
      { headers: { authorization: "Bearer alpha-token" } },
      withAuth,
    );
    expect(after.status).toBe(404);
  });

  it("refuses everything when auth is on but no token is configured", async () => {
    const res = await call(
      "/v1/znodes/x",
      { headers: { authorization: "Bearer anything" } },
      { ...withAuth, AUTH_TOKENS: "" },
    );
    expect(res.status).toBe(401);
  });

  it("takes ?access_token= only on WebSocket upgrades (browsers cannot set headers there)", async () => {
    const res = await call("/v1/znodes/nothing?access_token=beta-token", {}, withAuth);
    expect(res.status).toBe(401);
    const upgrade = await call(
      "/v1/session?member=0&access_token=beta-token",
      { headers: { upgrade: "websocket" } },
      withAuth,
    );
    expect(upgrade.status).toBe(101);
    upgrade.webSocket?.accept();
    upgrade.webSocket?.close(1000, "done");
  });

  it("lets requests through with AUTH=off", async () => {
    const res = await call("/v1/znodes/nothing", {}, { ...env, AUTH: "off" });
    expect(res.status).toBe(404);
  });
});
