// What the attack suite drives: the Worker as a deployment sees it (auth on, scoped tokens), raw
// socket clients under a chosen token, and polling until something is (or stays) true.

import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { SessionClient } from "../workers/session-client.ts";
import { ZkWire } from "../workers/zk-wire.ts";

export const tokens = {
  alice: "alice-token",
  bob: "bob-token",
  reader: "reader-token",
  root: "root-token",
  /** Limited to the ensembles sec and sec-b. */
  team: "team-token",
} as const;
export type Who = keyof typeof tokens;

export const member = (i: number) => env.MEMBER.getByName(`${env.ENSEMBLE_NAME}/${i}`);

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/** An HTTP call as `who`; the body is JSON when an object is given. */
export async function call(
  who: Who | null,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (who) headers.authorization = `Bearer ${tokens[who]}`;
  let body: BodyInit | undefined;
  if (init.body !== undefined) {
    if (typeof init.body === "string" || init.body instanceof Uint8Array) body = init.body;
    else {
      body = JSON.stringify(init.body);
      headers["content-type"] = "application/json";
    }
  }
  const res = await exports.default.fetch(
    new Request(`http://edgekeeper.test${path}`, {
      method: init.method ?? "GET",
      headers,
      ...(body === undefined ? {} : { body }),
    }),
  );
  let parsed: Record<string, unknown>;
  if ((res.headers.get("content-type") ?? "").includes("json")) {
    parsed = (await res.json()) as Record<string, unknown>;
  } else {
    // A snapshot or a page: its size is all the attacks look at.
    parsed = { bytes: (await res.arrayBuffer()).byteLength };
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export const bearer = (who: Who) => ({ authorization: `Bearer ${tokens[who]}` });

/** A JSON-protocol session of `who` at a member, connected. */
export async function jsonSession(who: Who, at: number, extra: Record<string, string> = {}) {
  const client = await SessionClient.open(at, { ...bearer(who), ...extra });
  const hello = await client.connect();
  if (hello.type !== "connected") throw new Error(`no session: ${JSON.stringify(hello)}`);
  return { client, hello };
}

/** A ZooKeeper-wire session of `who` at a member, connected. */
export async function zkSession(who: Who, at: number) {
  const zk = await ZkWire.open(at, bearer(who));
  const hello = await zk.connect();
  return { zk, hello };
}

/** Waits long enough for an event that should not come to have come (a write applied everywhere). */
export async function settled(): Promise<void> {
  const res = await call("root", "/v1/sync", { method: "POST" });
  if (res.status !== 200) throw new Error(`sync: ${res.status}`);
  await scheduler.wait(300);
}
