// The dashboard's calls to the HTTP API: the bearer token from this tab's session storage (never
// the URL), ZooKeeper errors as ApiError, and Server-Sent Events read with fetch (EventSource
// cannot send an Authorization header).

import { ensemblePath } from "../src/client/ensemble-path.ts";

const tokenKey = "edgekeeper.token";

const ensembleKey = "edgekeeper.ensemble";

/** The ensemble this tab looks at; null: the deployment's default one. */
export const ensemble = {
  get(): string | null {
    return sessionStorage.getItem(ensembleKey);
  },
  set(name: string | null): void {
    if (name === null) sessionStorage.removeItem(ensembleKey);
    else sessionStorage.setItem(ensembleKey, name);
  },
};

/** Where a call goes: the chosen ensemble's routes, except what is the deployment's own. */
function routed(path: string): string {
  if (path.startsWith("/v1/ensembles") || path.startsWith("/v1/whoami")) return path;
  return ensemblePath(path, ensemble.get() ?? undefined);
}

export const token = {
  get(): string | null {
    return sessionStorage.getItem(tokenKey);
  },
  set(value: string): void {
    sessionStorage.setItem(tokenKey, value);
  },
  clear(): void {
    sessionStorage.removeItem(tokenKey);
  },
};

/** A refused call: ZooKeeper's error name and code, the HTTP status, the path if any. */
export class ApiError extends Error {
  readonly zkName: string;
  readonly code: number;
  readonly status: number;
  readonly path: string | undefined;

  constructor(status: number, zkName: string, code: number, message: string, path?: string) {
    super(message);
    this.status = status;
    this.zkName = zkName;
    this.code = code;
    this.path = path;
  }

  /** "BADVERSION: /app is at version 1, not 0", as the dashboard shows it. */
  override toString(): string {
    return `${this.zkName}: ${this.message}`;
  }
}

export function headers(extra: Record<string, string> = {}, bearer = token.get()) {
  return bearer === null ? extra : { ...extra, authorization: `Bearer ${bearer}` };
}

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as {
      error?: { name?: string; code?: number; message?: string; path?: string };
    };
    const e = body.error ?? {};
    return new ApiError(
      res.status,
      e.name ?? `HTTP ${res.status}`,
      e.code ?? 0,
      e.message ?? res.statusText,
      e.path,
    );
  } catch {
    return new ApiError(res.status, `HTTP ${res.status}`, 0, res.statusText);
  }
}

export interface Answer<T> {
  readonly body: T;
  /** The zxid the answer reflects (X-Zxid), when the route says. */
  readonly zxid: number | null;
}

/** Calls the API; throws ApiError on a refusal, or a TypeError when the service is unreachable. */
export async function call<T>(
  path: string,
  init: { method?: string; json?: unknown; bearer?: string | null; signal?: AbortSignal } = {},
): Promise<Answer<T>> {
  const res = await fetch(routed(path), {
    method: init.method ?? "GET",
    headers: headers(
      init.json === undefined ? {} : { "content-type": "application/json" },
      init.bearer === undefined ? token.get() : init.bearer,
    ),
    ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  if (!res.ok) throw await errorOf(res);
  const zxid = res.headers.get("x-zxid");
  return { body: (await res.json()) as T, zxid: zxid === null ? null : Number(zxid) };
}

/** The URL of a znode under /v1/znodes, each segment percent-encoded. */
export function znodeUrl(path: string, query = ""): string {
  const encoded = path
    .split("/")
    .map((s) => encodeURIComponent(s))
    .join("/");
  return `/v1/znodes${encoded === "" ? "/" : encoded}${query === "" ? "" : `?${query}`}`;
}

/** Reads a text/event-stream until it ends or `signal` aborts, calling `onEvent` for each event. */
export async function readEvents(
  path: string,
  signal: AbortSignal,
  onEvent: (event: string, data: string) => void,
): Promise<void> {
  const res = await fetch(routed(path), { headers: headers(), signal });
  if (!res.ok) throw await errorOf(res);
  if (!res.body) throw new Error("no stream");
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length > 0) onEvent(event, data.join("\n"));
    }
  }
}
