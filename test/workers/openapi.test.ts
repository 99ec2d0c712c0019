// The OpenAPI document covers exactly the routes the app registers, and is served with its page.

import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/api/app.ts";
import { routeDocs } from "../../src/api/openapi.ts";

describe("OpenAPI", () => {
  it("documents every registered route and nothing else", () => {
    const registered = new Set(
      app.routes
        .filter((r) => r.method !== "ALL")
        .map((r) => `${r.method.toLowerCase()} ${r.path}`),
    );
    const documented = new Set(routeDocs.map((r) => `${r.method} ${r.route}`));
    expect([...registered].sort()).toEqual([...documented].sort());
  });

  it("serves the document with request body schemas, and a reference page", async () => {
    const res = await exports.default.fetch(new Request("http://edgekeeper.test/v1/openapi.json"));
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths["/v1/znodes/{path}"]?.post?.requestBody).toMatchObject({
      content: {
        "application/json": { schema: { type: "object", properties: { mode: expect.anything() } } },
      },
    });
    const page = await exports.default.fetch(new Request("http://edgekeeper.test/v1/docs"));
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("/v1/multi");
  });
});
