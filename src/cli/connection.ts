// Where the CLI connects: --url/--token/--ensemble or EDGEKEEPER_URL/EDGEKEEPER_TOKEN/
// EDGEKEEPER_ENSEMBLE, defaulting to the local ensemble `npm start` serves. The one home of the rule for a base URL, which every
// command (and the bridge) goes through.

import { UsageError } from "./commands.ts";

export interface Target {
  /** The service's base URL, http(s)://host[:port], no path. */
  readonly url: string;
  readonly token?: string | undefined;
  /** --ensemble or EDGEKEEPER_ENSEMBLE: an ensemble created through /v1/ensembles. */
  readonly ensemble?: string | undefined;
  readonly json: boolean;
  /** --session-timeout <ms>: the session timeout to ask for (a long watch may want more). */
  readonly sessionTimeoutMs?: number | undefined;
}

export interface GlobalOptions {
  readonly url?: string;
  readonly token?: string;
  readonly ensemble?: string;
  readonly json?: boolean;
  readonly sessionTimeout?: string;
}

export function targetFrom(options: GlobalOptions): Target {
  const url = baseUrl(options.url ?? process.env.EDGEKEEPER_URL ?? "http://127.0.0.1:8787");
  const token = options.token ?? process.env.EDGEKEEPER_TOKEN;
  const ensemble = options.ensemble ?? process.env.EDGEKEEPER_ENSEMBLE;
  if (ensemble !== undefined && ensemble !== "" && !/^[a-z0-9][a-z0-9-]{0,31}$/.test(ensemble))
    throw new UsageError(`--ensemble takes an ensemble's name (got ${ensemble})`);
  const timeout = options.sessionTimeout;
  if (timeout !== undefined && !/^\d+$/.test(timeout))
    throw new UsageError(`--session-timeout takes milliseconds (got ${timeout})`);
  return {
    url,
    token: token === "" ? undefined : token,
    ensemble: ensemble === "" ? undefined : ensemble,
    json: options.json === true,
    sessionTimeoutMs: timeout === undefined ? undefined : Number(timeout),
  };
}

/**
 * The service's base URL as http(s)://host[:port]: ws(s):// is accepted and mapped, and a path,
 * query or fragment is refused — edgekeeper adds its own paths (/v1/session, /v1/zk), so
 * `ws://host/v1/zk` would otherwise end up at /v1/zk/v1/zk.
 */
export function baseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url must be a URL such as http://127.0.0.1:8787 (got ${text})`);
  }
  const scheme = { "http:": "http:", "https:": "https:", "ws:": "http:", "wss:": "https:" }[
    url.protocol
  ];
  if (scheme === undefined)
    throw new UsageError(`--url takes http(s):// or ws(s):// (got ${url.protocol}//)`);
  if (url.pathname !== "/" || url.search !== "" || url.hash !== "")
    throw new UsageError(
      `--url is the service's base URL, without a path (got ${text}; use ${url.protocol}//${url.host})`,
    );
  if (url.username !== "" || url.password !== "")
    throw new UsageError("--url must not carry credentials: pass --token or EDGEKEEPER_TOKEN");
  return `${scheme}//${url.host}`;
}
