// Drives the real ensemble inside workerd: member stubs, status polling, faults, and the
// convergence check every scenario ends with (equal digests at equal applied index).

import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import type { MemberStatus } from "../../durable-objects/member-status.ts";
import type { WriteAnswer } from "../../durable-objects/replica.ts";
import { openAcl } from "../../src/core/tree/acl.ts";

export const size = Number(env.ENSEMBLE_SIZE);
export const ids = Array.from({ length: size }, (_, i) => i);
export const member = (i: number) => env.MEMBER.getByName(`${env.ENSEMBLE_NAME}/${i}`);

export function statuses(): Promise<MemberStatus[]> {
  return Promise.all(ids.map((i) => member(i).status()));
}

/** Polls `probe` until it returns a value, failing with `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await scheduler.wait(25);
  }
}

/** The leader that a majority of the given members follows, once there is one. */
export function stableLeader(among: readonly number[] = ids): Promise<number> {
  return eventually(`a leader among ${among.join(",")}`, async () => {
    const all = await statuses();
    const view = all.filter((s) => among.includes(s.id));
    const leaders = view.filter((s) => s.role === "leader");
    if (leaders.length !== 1) return undefined;
    const leader = leaders[0] as MemberStatus;
    const followers = view.filter((s) => s.leader === leader.id && s.term === leader.term);
    return followers.length > size / 2 ? leader.id : undefined;
  });
}

/** Waits until the members have applied the same index with the same digest, and returns it. */
export function converged(among: readonly number[] = ids): Promise<MemberStatus[]> {
  return eventually(`members ${among.join(",")} to converge`, async () => {
    const view = (await statuses()).filter((s) => among.includes(s.id));
    const first = view[0] as MemberStatus;
    const same = view.every(
      (s) =>
        s.appliedIndex === first.appliedIndex &&
        s.digest === first.digest &&
        s.commitIndex === s.appliedIndex,
    );
    return same ? view : undefined;
  });
}

/** JSON for assertion messages; 64-bit values print as strings. */
export function show(value: unknown): string {
  return JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v));
}

export function create(at: number, path: string, data = ""): Promise<WriteAnswer> {
  return member(at).submit(
    { op: "create", path, data: new TextEncoder().encode(data), acl: openAcl, mode: 0 },
    { authIds: [] },
  );
}

/** Cuts every link between `isolated` and the rest, both ways. */
export async function isolate(isolated: number): Promise<void> {
  const others = ids.filter((i) => i !== isolated);
  await member(isolated).setFaults({ dropTo: others, dropFrom: others });
  for (const i of others) await member(i).setFaults({ dropTo: [isolated], dropFrom: [isolated] });
}

export async function heal(): Promise<void> {
  for (const i of ids) await member(i).setFaults({ dropTo: [], dropFrom: [] });
}

/** Opens a session socket through the Worker's fetch, for SDK clients inside workerd. */
/** The SDK's `fetch` inside workerd: through the Worker, never the network. */
export function serviceFetch(url: string, init: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(url, init));
}

export async function openSocket(url: string): Promise<WebSocket> {
  const res = await exports.default.fetch(
    new Request(url.replace(/^ws/, "http"), { headers: { upgrade: "websocket" } }),
  );
  const ws = res.webSocket;
  if (!ws) throw new Error(`no socket (${res.status})`);
  ws.accept();
  return ws;
}

/** An HTTP call through the Worker: the status, headers and the JSON body ({} when empty). */
export async function callJson(path: string, init: RequestInit & { json?: unknown } = {}) {
  const res = await exports.default.fetch(
    new Request(`http://edgekeeper.test${path}`, {
      ...init,
      ...(init.json === undefined
        ? {}
        : { body: JSON.stringify(init.json), headers: { "content-type": "application/json" } }),
    }),
  );
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: (text === "" ? {} : JSON.parse(text)) as Record<string, unknown>,
  };
}
