// The SDK's HTTP-only mode, for environments without WebSockets: the same operations over the
// JSON HTTP API, a session kept alive by keep-alive requests (so ephemerals work), and watches as
// long polls that resume from the last zxid seen.

import { ErrorCode } from "../core/error-code.ts";
import { decodeData } from "../protocol/data-encoding.ts";
import type { CreateMode, Stat, WatchEvent } from "./client.ts";
import { ensemblePath } from "./ensemble-path.ts";
import { KeeperError } from "./keeper-error.ts";

export interface HttpClientOptions {
  readonly url: string;
  readonly token?: string;
  /** An ensemble created through /v1/ensembles (default: the service's own). */
  readonly ensemble?: string;
  /** Open a session (needed for ephemeral nodes and exactly-once retries). */
  readonly sessionTimeoutMs?: number;
  /** Sends the requests instead of the global fetch — e.g. a service binding's `fetch`. */
  readonly fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

export class EdgeKeeperHttpClient {
  readonly #url: string;
  readonly #ensemble: string | undefined;
  readonly #token: string | undefined;
  readonly #fetch: (url: string, init: RequestInit) => Promise<Response>;
  #session: { id: string; password: string; timeoutMs: number } | null = null;
  #keepAlive: ReturnType<typeof setInterval> | null = null;
  #seq = 0;

  private constructor(options: HttpClientOptions) {
    this.#url = options.url.replace(/\/$/, "");
    this.#ensemble = options.ensemble;
    this.#token = options.token;
    this.#fetch = options.fetch ?? ((url, init) => fetch(url, init));
  }

  static async connect(options: HttpClientOptions): Promise<EdgeKeeperHttpClient> {
    const client = new EdgeKeeperHttpClient(options);
    if (options.sessionTimeoutMs !== undefined) {
      const s = await client.#request("POST", "/v1/sessions", {
        json: { timeoutMs: options.sessionTimeoutMs },
      });
      client.#session = {
        id: s.sessionId as string,
        password: s.password as string,
        timeoutMs: s.timeoutMs as number,
      };
      const every = Math.max(250, Math.floor(client.#session.timeoutMs / 3));
      client.#keepAlive = setInterval(() => {
        const id = client.#session?.id;
        if (id) client.#request("POST", `/v1/sessions/${id}/keepalive`).catch(() => {});
      }, every);
    }
    return client;
  }

  get sessionId(): string | null {
    return this.#session?.id ?? null;
  }

  async create(
    path: string,
    data: string = "",
    options: { mode?: CreateMode; ttlMs?: number } = {},
  ): Promise<{ path: string; stat: Stat }> {
    const r = await this.#request("POST", `${znodeUrl(path)}`, {
      json: { data, ...options },
      write: true,
    });
    return { path: r.path as string, stat: r.stat as Stat };
  }

  async getData(path: string): Promise<{ data: Uint8Array; stat: Stat }> {
    const r = await this.#request("GET", `${znodeUrl(path)}`);
    const data = decodeData(r.data as string, r.encoding === "base64" ? "base64" : "utf8");
    if ("name" in data)
      throw new KeeperError({ code: ErrorCode[data.name], name: data.name, message: data.message });
    return { data, stat: r.stat as Stat };
  }

  async setData(path: string, data: string, version = -1): Promise<Stat> {
    return (
      await this.#request("PUT", `${znodeUrl(path)}`, { json: { data, version }, write: true })
    ).stat as Stat;
  }

  async delete(path: string, version = -1): Promise<void> {
    await this.#request("DELETE", `${znodeUrl(path)}?version=${version}`, { write: true });
  }

  async exists(path: string): Promise<Stat | null> {
    try {
      return (await this.#request("GET", `${znodeUrl(path)}?stat`)).stat as Stat;
    } catch (e) {
      if (e instanceof KeeperError && e.error === "NONODE") return null;
      throw e;
    }
  }

  async getChildren(path: string): Promise<{ children: string[]; stat: Stat }> {
    const r = await this.#request("GET", `${znodeUrl(path)}?children`);
    return { children: r.children as string[], stat: r.stat as Stat };
  }

  async multi(ops: Array<Record<string, unknown>>): Promise<Array<Record<string, unknown>>> {
    return (await this.#request("POST", "/v1/multi", { json: { ops }, write: true }))
      .results as Array<Record<string, unknown>>;
  }

  async sync(): Promise<number> {
    return (await this.#request("POST", "/v1/sync")).zxid as number;
  }

  /** Long-poll events at `path` (or below, with `recursive`), resuming from the last zxid seen. */
  watch(
    path: string,
    options: { recursive?: boolean; sinceZxid?: number } = {},
  ): AsyncIterable<WatchEvent> & { close(): void } {
    let closed = false;
    const self = this;
    return {
      close() {
        closed = true;
      },
      async *[Symbol.asyncIterator]() {
        let since =
          options.sinceZxid ??
          ((await self.#request("GET", `/v1/watch${path}?wait=0`)).zxid as number);
        while (!closed) {
          const r = await self.#request(
            "GET",
            `/v1/watch${path}?since=${since}&wait=25${options.recursive ? "&recursive" : ""}`,
          );
          since = r.zxid as number;
          for (const e of r.events as Array<{
            event: WatchEvent["event"];
            path: string;
            zxid: number;
          }>) {
            if (closed) return;
            yield { event: e.event, path: e.path, zxid: e.zxid };
          }
        }
      },
    };
  }

  /** Ends the session (its ephemerals are deleted). */
  async close(): Promise<void> {
    if (this.#keepAlive !== null) clearInterval(this.#keepAlive);
    this.#keepAlive = null;
    const s = this.#session;
    this.#session = null;
    if (s) await this.#request("DELETE", `/v1/sessions/${s.id}`, { session: s }).catch(() => {});
  }

  async #request(
    method: string,
    path: string,
    options: { json?: unknown; write?: boolean; session?: { id: string; password: string } } = {},
  ): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = {};
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    const session = options.session ?? this.#session;
    if (session) {
      headers["x-session-id"] = session.id;
      headers["x-session-password"] = session.password;
      if (options.write) headers["x-session-seq"] = String(++this.#seq);
    }
    if (options.json !== undefined) headers["content-type"] = "application/json";
    const res = await this.#fetch(`${this.#url}${ensemblePath(path, this.#ensemble)}`, {
      method,
      headers,
      ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    if (!res.ok)
      throw new KeeperError(body.error as { code: number; name: string; message: string });
    return body;
  }
}

/**
 * The route of a znode: each segment percent-encoded, so `?`, `#` and `%` in a name stay part of
 * the path. A path that is not absolute is refused here, as ZooKeeper's client does.
 */
function znodeUrl(path: string): string {
  if (!path.startsWith("/"))
    throw new KeeperError({
      code: ErrorCode.BADARGUMENTS,
      name: "BADARGUMENTS",
      message: `Path must start with / (got "${path}")`,
      path,
    });
  return `/v1/znodes${path.split("/").map(encodeURIComponent).join("/")}`;
}
