// CORS: pages from an origin in CORS_ORIGINS may call the HTTP API and read its answers (the
// preflight answered before the token gate); any other origin gets no CORS headers at all.

import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accessConfig, ConfigError } from "../../src/access/access-config.ts";

const send = (path: string, init: RequestInit) =>
  exports.default.fetch(new Request(`http://edgekeeper.test${path}`, init));

describe("CORS", () => {
  it("answers an allowed origin's preflight with the headers the SDK sends", async () => {
    const res = await send("/v1/znodes/cors", {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, x-session-seq",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(res.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(res.headers.get("access-control-allow-methods")).toContain("DELETE");
  });

  it("lets an allowed origin read answers and the zxid header; others get no CORS headers", async () => {
    const allowed = await send("/v1/znodes", { headers: { origin: "https://app.example" } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(allowed.headers.get("access-control-expose-headers")).toContain("x-zxid");
    for (const origin of ["https://evil.example", "https://app.example.evil.example"]) {
      const refused = await send("/v1/znodes", { headers: { origin } });
      expect(refused.headers.get("access-control-allow-origin")).toBeNull();
      const preflight = await send("/v1/znodes/cors", {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "DELETE" },
      });
      expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    }
  });

  it("refuses to serve with a CORS_ORIGINS entry that is not an origin", () => {
    for (const bad of ["https://app.example/path", "app.example", "https://app.example/"]) {
      const config = accessConfig({ ...env, CORS_ORIGINS: bad });
      expect(config).toBeInstanceOf(ConfigError);
      expect((config as ConfigError).message).toContain(`CORS_ORIGINS entry "${bad}"`);
    }
    const any = accessConfig({ ...env, CORS_ORIGINS: "*" });
    expect(any instanceof ConfigError ? null : [...any.corsOrigins]).toEqual(["*"]);
  });
});
