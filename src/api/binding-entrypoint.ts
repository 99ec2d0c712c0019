// `EdgeKeeper`, the entry point another Worker in the same account binds to (a service binding
// with `entrypoint = "EdgeKeeper"`): the client operations as RPC methods, and `fetch` for
// sessions over the binding — no public URL and no token, since the binding is the credential.
// Every call goes through the same router, gate and rules as an HTTP request; the binding only
// stands in for the bearer token. The SDK's EdgeKeeperBindingClient is its caller's side.

import { WorkerEntrypoint } from "cloudflare:workers";
import { z } from "zod";
import type { Principal } from "../access/gatekeeper.ts";
import { bindingUrl, type EdgeKeeperRpc, type RpcResult } from "../client/binding-client.ts";
import type { CreateMode, Stat } from "../client/client.ts";
import { EdgeKeeperHttpClient } from "../client/http-client.ts";
import { KeeperError } from "../client/keeper-error.ts";
import { ErrorCode } from "../core/error-code.ts";
import type { Env } from "../env.ts";
import { boundPrincipals } from "./bound-principal.ts";
import { dispatch } from "./ensemble-dispatch.ts";

/**
 * What a binding may say about its caller (`props` on the service binding): a name (sessions
 * belong to it) and a scope; without props, `binding` with scope write.
 */
const bindingPropsSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .optional(),
    scope: z.enum(["read", "write", "admin"]).optional(),
  })
  .optional();

/**
 * The env the router gets for a principal: one per Worker env and principal, so the settings
 * parsed from it (accessConfig caches them per env object) are parsed once, not per call.
 */
const boundEnvs = new WeakMap<Env, Map<string, Env>>();

function boundEnv(env: Env, principal: Principal): Env {
  let byPrincipal = boundEnvs.get(env);
  if (!byPrincipal) {
    byPrincipal = new Map();
    boundEnvs.set(env, byPrincipal);
  }
  const key = `${principal.scope}:${principal.name}`;
  let bound = byPrincipal.get(key);
  if (!bound) {
    bound = { ...env };
    boundPrincipals.set(bound, principal);
    byPrincipal.set(key, bound);
  }
  return bound;
}

export class EdgeKeeper extends WorkerEntrypoint<Env> implements EdgeKeeperRpc {
  /** An HTTP request (or a WebSocket upgrade to /v1/session) as the binding's caller. */
  override async fetch(input: string | Request, init?: RequestInit): Promise<Response> {
    const env = this.#env();
    if (!env.ok) return Response.json({ error: env.error }, { status: 400 });
    return dispatch(new Request(input, init), env.value, this.ctx);
  }

  create(
    path: string,
    data = "",
    options: { mode?: CreateMode; ttlMs?: number } = {},
  ): Promise<RpcResult<{ path: string; stat: Stat }>> {
    return this.#call((c) => c.create(path, data, options));
  }

  getData(path: string): Promise<RpcResult<{ data: Uint8Array; stat: Stat }>> {
    return this.#call((c) => c.getData(path));
  }

  setData(path: string, data: string, version = -1): Promise<RpcResult<Stat>> {
    return this.#call((c) => c.setData(path, data, version));
  }

  delete(path: string, version = -1): Promise<RpcResult<null>> {
    return this.#call(async (c) => {
      await c.delete(path, version);
      return null;
    });
  }

  exists(path: string): Promise<RpcResult<Stat | null>> {
    return this.#call((c) => c.exists(path));
  }

  getChildren(path: string): Promise<RpcResult<{ children: string[]; stat: Stat }>> {
    return this.#call((c) => c.getChildren(path));
  }

  multi(ops: Array<Record<string, unknown>>): Promise<RpcResult<Array<Record<string, unknown>>>> {
    return this.#call((c) => c.multi(ops));
  }

  sync(): Promise<RpcResult<number>> {
    return this.#call((c) => c.sync());
  }

  /** The env the router sees for this binding's caller: its props, checked, as the principal. */
  #env(): RpcResult<Env> {
    const props = bindingPropsSchema.safeParse(
      (this.ctx as { props?: unknown }).props ?? undefined,
    );
    if (!props.success)
      return {
        ok: false,
        error: {
          code: ErrorCode.BADARGUMENTS,
          name: "BADARGUMENTS",
          message: `The service binding's props must be {name?, scope?: read|write|admin}: ${props.error.issues[0]?.message}`,
        },
      };
    const principal: Principal = {
      name: props.data?.name ?? "binding",
      scope: props.data?.scope ?? "write",
    };
    return { ok: true, value: boundEnv(this.env, principal) };
  }

  /** Runs one operation through the router; a ZooKeeper error is the answer, not a throw. */
  async #call<T>(op: (client: EdgeKeeperHttpClient) => Promise<T>): Promise<RpcResult<T>> {
    const env = this.#env();
    if (!env.ok) return env;
    const client = await EdgeKeeperHttpClient.connect({
      url: bindingUrl,
      fetch: async (url, init) => dispatch(new Request(url, init), env.value, this.ctx),
    });
    try {
      return { ok: true, value: await op(client) };
    } catch (e) {
      if (!(e instanceof KeeperError)) throw e;
      return {
        ok: false,
        error: {
          code: e.code,
          name: e.error,
          message: e.detail,
          ...(e.path === undefined ? {} : { path: e.path }),
        },
      };
    }
  }
}
