// The gatekeeper's rules, one scenario each: secrets fail closed, tokens and scopes, passwords
// bound to their session's token and accepted across a key rotation, trustworthy client
// addresses, and which watch events a caller may hear.

import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  type AccessConfig,
  type AccessVars,
  accessConfig,
  ConfigError,
} from "../../../src/access/access-config.ts";
import {
  clientAddress,
  identify,
  mayHear,
  passwordMatches,
  requiredScope,
  sessionPassword,
  snapshotRefusal,
  visibleEvents,
} from "../../../src/access/gatekeeper.ts";
import { limitsFrom } from "../../../src/access/limits.ts";
import { Perm } from "../../../src/core/tree/acl.ts";
import { digestId } from "../../../src/core/tree/auth.ts";
import { TreeHarness } from "../tree/harness.ts";

const secret = "s".repeat(32);
const env = (vars: AccessVars): AccessVars => ({ ...vars });
const config = (vars: AccessVars): AccessConfig => {
  const c = accessConfig(env(vars));
  if (c instanceof ConfigError) throw c;
  return c;
};

describe("secrets fail closed", () => {
  it.each([
    ["missing", {}],
    ["empty", { SESSION_SECRET: "" }],
    ["short", { SESSION_SECRET: "x".repeat(31) }],
  ])("with auth on, a %s SESSION_SECRET refuses to serve, saying how to set it", (_, vars) => {
    const c = accessConfig(env(vars));
    expect(c).toBeInstanceOf(ConfigError);
    expect((c as ConfigError).message).toMatch(
      /refuses to serve: SESSION_SECRET .*npx wrangler secret put SESSION_SECRET/,
    );
  });

  it("local development (AUTH=off) serves on a development key", () => {
    expect(config({ AUTH: "off" }).developmentKey).toBe(true);
    expect(config({ AUTH: "off", SESSION_SECRET: secret }).developmentKey).toBe(false);
  });

  it("refuses malformed tokens, limits and address sources", () => {
    for (const vars of [
      { AUTH_TOKENS: "alice:root:tok" },
      { AUTH_TOKENS: "a:read:x,a:write:y" },
      { AUTH_TOKENS: "bad name:read:x" },
      { AUTH_TOKENS: `${"n".repeat(65)}:read:x` },
      { LIMITS: '{"maxSessions":0}' },
      { LIMITS: '{"noSuchLimit":1}' },
      { CLIENT_IP_SOURCE: "header" },
    ]) {
      expect(accessConfig(env({ SESSION_SECRET: secret, ...vars }))).toBeInstanceOf(ConfigError);
    }
    expect(limitsFrom('{"maxReplyBytes":5}').maxReplyBytes).toBe(5);
  });
});

describe("tokens and scopes", () => {
  const c = config({
    SESSION_SECRET: secret,
    AUTH_TOKENS: "reader:read:r-token, admin:admin:a:b:c, legacy-token",
  });
  const req = (url: string, headers: Record<string, string> = {}) =>
    new Request(`http://x${url}`, { headers });

  it("names the caller and its scope; a bare token is write-scoped", () => {
    expect(identify(c, req("/v1/znodes", { authorization: "Bearer r-token" }))).toEqual({
      name: "reader",
      scope: "read",
    });
    expect(identify(c, req("/", { authorization: "Bearer a:b:c" }))).toMatchObject({
      scope: "admin",
    });
    expect(identify(c, req("/", { authorization: "Bearer legacy-token" }))).toMatchObject({
      scope: "write",
    });
    expect(identify(c, req("/", { authorization: "Bearer nope" }))).toMatchObject({
      name: "AUTHFAILED",
    });
  });

  it("takes ?access_token= only on a WebSocket upgrade", () => {
    expect(identify(c, req("/v1/znodes/x?access_token=r-token"))).toMatchObject({
      name: "AUTHFAILED",
    });
    expect(
      identify(c, req("/v1/session?access_token=r-token", { upgrade: "websocket" })),
    ).toMatchObject({ name: "reader" });
  });

  it("asks admin for admin pages, write for changes, read for the rest", () => {
    expect(requiredScope("GET", "/v1/admin/snapshot")).toBe("admin");
    expect(requiredScope("GET", "/metrics")).toBe("admin");
    expect(requiredScope("POST", "/v1/znodes/a")).toBe("write");
    expect(requiredScope("POST", "/v1/multi")).toBe("write");
    expect(requiredScope("POST", "/v1/multi-read")).toBe("read");
    expect(requiredScope("GET", "/v1/session")).toBe("read");
  });
});

describe("session passwords", () => {
  const c = config({ SESSION_SECRET: secret });

  it("are HMAC-SHA256 of the id and the owning token's name under the session key", () => {
    const pw = sessionPassword(c, 0x1234n, "alice");
    const expected = createHmac("sha256", secret)
      .update("edgekeeper-session:1234:alice")
      .digest()
      .subarray(0, 16);
    expect(Buffer.from(pw).equals(expected)).toBe(true);
    expect(passwordMatches(c, 0x1234n, "alice", pw)).toBe(true);
    expect(passwordMatches(c, 0x1235n, "alice", pw)).toBe(false);
    expect(passwordMatches(c, 0x1234n, "bob", pw)).toBe(false);
    expect(passwordMatches(c, 0x1234n, "alice", pw.subarray(0, 15))).toBe(false);
  });

  it("are accepted under the previous key during a rotation, and issued under the new one", () => {
    const next = "n".repeat(40);
    const rotated = config({ SESSION_SECRET: next, SESSION_SECRET_PREVIOUS: secret });
    const old = sessionPassword(c, 7n, "");
    expect(passwordMatches(rotated, 7n, "", old)).toBe(true);
    expect(passwordMatches(config({ SESSION_SECRET: next }), 7n, "", old)).toBe(false);
    expect(sessionPassword(rotated, 7n, "")).not.toEqual(old);
  });
});

describe("client addresses", () => {
  const spoofed = new Headers({ "cf-connecting-ip": "10.0.0.1" });
  it("come from the edge's header only when the deployment runs behind the edge", () => {
    const at = (source: string) =>
      clientAddress(config({ SESSION_SECRET: secret, CLIENT_IP_SOURCE: source }), spoofed);
    expect(at("edge")).toBe("10.0.0.1");
    expect(at("loopback")).toBe("127.0.0.1");
    expect(at("none")).toBeUndefined();
    const edge = config({ SESSION_SECRET: secret, CLIENT_IP_SOURCE: "edge" });
    expect(clientAddress(edge, new Headers())).toBeUndefined();
    expect(clientAddress(edge, new Headers({ "cf-connecting-ip": "not an ip" }))).toBeUndefined();
  });
});

describe("what a watcher may hear", () => {
  const alice = [{ scheme: "digest", id: digestId("alice:pw") }];
  const secretAcl = [{ perms: Perm.ALL, scheme: "digest", id: digestId("alice:pw") }];

  it("needs READ on the event's node, or on the ACL it had when it was deleted", () => {
    const h = new TreeHarness();
    h.create("/open");
    h.must({ op: "create", path: "/open/secret", data: new Uint8Array(), acl: secretAcl, mode: 0 });
    const created = { type: "NodeCreated" as const, path: "/open/secret", zxid: 1 };
    expect(mayHear(h.tree, [], created)).toBe(false);
    expect(mayHear(h.tree, alice, created)).toBe(true);
    const deletion = h.write(
      { op: "delete", path: "/open/secret", version: -1 },
      { authIds: alice },
    );
    if (!deletion.ok) throw new Error(deletion.failure.message);
    const deleted = deletion.events.find((e) => e.type === "NodeDeleted");
    expect(deleted?.acl).toEqual(secretAcl);
    expect(visibleEvents(h.tree, [], deletion.events).map((e) => e.type)).toEqual([
      "NodeChildrenChanged",
    ]);
    expect(visibleEvents(h.tree, alice, deletion.events)).toHaveLength(2);
  });

  it("a snapshot needs an authenticated caller with ALL on /", () => {
    const h = new TreeHarness();
    expect(snapshotRefusal(h.tree, [])).toMatchObject({ name: "NOAUTH" });
    expect(snapshotRefusal(h.tree, alice)).toBeNull();
    h.must({
      op: "setACL",
      path: "/",
      acl: [{ perms: Perm.READ, scheme: "world", id: "anyone" }],
      version: -1,
    });
    expect(snapshotRefusal(h.tree, alice)).toMatchObject({ name: "NOAUTH" });
    expect(snapshotRefusal(h.tree, [{ scheme: "super", id: "" }])).toBeNull();
  });
});
