// The SDK inside another Worker that has a service binding to edgekeeper's `EdgeKeeper` entry
// point: the client operations over RPC (no URL, no token: the binding is the credential), and
// sessions over the binding's fetch. Across RPC a ZooKeeper error travels as a value (an expected
// NONODE is not an exception in the service's logs) and becomes a KeeperError here.

import type { ClientOptions, CreateMode, Stat } from "./client.ts";
import { EdgeKeeperClient } from "./client.ts";
import { KeeperError } from "./keeper-error.ts";

/** ZooKeeper's error as the JSON APIs spell it. */
export interface ErrorValue {
  readonly code: number;
  readonly name: string;
  readonly message: string;
  readonly path?: string;
}

/** What an RPC method answers: its value, or the ZooKeeper error it met. */
export type RpcResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: ErrorValue };

/** The `EdgeKeeper` entry point's methods, as a service binding to it exposes them. */
export interface EdgeKeeperRpc {
  create(
    path: string,
    data?: string,
    options?: { mode?: CreateMode; ttlMs?: number },
  ): Promise<RpcResult<{ path: string; stat: Stat }>>;
  getData(path: string): Promise<RpcResult<{ data: Uint8Array; stat: Stat }>>;
  setData(path: string, data: string, version?: number): Promise<RpcResult<Stat>>;
  delete(path: string, version?: number): Promise<RpcResult<null>>;
  exists(path: string): Promise<RpcResult<Stat | null>>;
  getChildren(path: string): Promise<RpcResult<{ children: string[]; stat: Stat }>>;
  multi(ops: Array<Record<string, unknown>>): Promise<RpcResult<Array<Record<string, unknown>>>>;
  sync(): Promise<RpcResult<number>>;
  fetch(input: string | Request, init?: RequestInit): Promise<Response>;
}

/** Where requests through a binding say they go; the binding, not the host, decides. */
export const bindingUrl = "https://edgekeeper.binding";

export class EdgeKeeperBindingClient {
  readonly #rpc: EdgeKeeperRpc;

  /** `binding`: the service binding, e.g. `env.EDGEKEEPER`. */
  constructor(binding: EdgeKeeperRpc) {
    this.#rpc = binding;
  }

  async create(
    path: string,
    data = "",
    options: { mode?: CreateMode; ttlMs?: number } = {},
  ): Promise<{ path: string; stat: Stat }> {
    return value(await this.#rpc.create(path, data, options));
  }

  async getData(path: string): Promise<{ data: Uint8Array; stat: Stat }> {
    return value(await this.#rpc.getData(path));
  }

  async setData(path: string, data: string, version = -1): Promise<Stat> {
    return value(await this.#rpc.setData(path, data, version));
  }

  async delete(path: string, version = -1): Promise<void> {
    value(await this.#rpc.delete(path, version));
  }

  async exists(path: string): Promise<Stat | null> {
    return value(await this.#rpc.exists(path));
  }

  async getChildren(path: string): Promise<{ children: string[]; stat: Stat }> {
    return value(await this.#rpc.getChildren(path));
  }

  async multi(ops: Array<Record<string, unknown>>): Promise<Array<Record<string, unknown>>> {
    return value(await this.#rpc.multi(ops));
  }

  async sync(): Promise<number> {
    return value(await this.#rpc.sync());
  }

  /**
   * A session over the binding (watches, ephemerals, the recipes): the session client with its
   * socket opened through the binding's fetch.
   */
  session(
    options: Omit<ClientOptions, "url" | "token" | "openSocket" | "fetch"> = {},
  ): Promise<EdgeKeeperClient> {
    const rpc = this.#rpc;
    return EdgeKeeperClient.connect({
      ...options,
      url: bindingUrl,
      openSocket: async (url) => {
        const res = await rpc.fetch(url.replace(/^ws/, "http"), {
          headers: { upgrade: "websocket" },
        });
        const ws = (res as Response & { webSocket?: WebSocket | null }).webSocket;
        if (!ws) throw new Error(`The binding refused the session socket (${res.status})`);
        (ws as WebSocket & { accept(): void }).accept();
        return ws;
      },
      fetch: (url, init) => rpc.fetch(url, init),
    });
  }
}

function value<T>(result: RpcResult<T>): T {
  if (result.ok) return result.value;
  throw new KeeperError(result.error);
}
