// The deployment's security settings, read once from the Worker's variables and secrets: who may
// call (tokens and their scopes), the session-password keys, where client addresses come from.
// A deployment with auth on refuses to serve without a strong SESSION_SECRET.

import { type Limits, limitsFrom } from "./limits.ts";

/** The Worker variables and secrets these settings come from (a subset of Env). */
export interface AccessVars {
  readonly AUTH?: string | undefined;
  readonly AUTH_TOKENS?: string | undefined;
  readonly SESSION_SECRET?: string | undefined;
  readonly SESSION_SECRET_PREVIOUS?: string | undefined;
  readonly SUPER_DIGEST?: string | undefined;
  readonly CLIENT_IP_SOURCE?: string | undefined;
  readonly LIMITS?: string | undefined;
  readonly CORS_ORIGINS?: string | undefined;
}

/** What a token may do: read (reads, watches, sessions), write (and change the tree), admin (all). */
export type Scope = "read" | "write" | "admin";

export interface Token {
  readonly name: string;
  readonly scope: Scope;
  readonly secret: string;
  /** The ensembles the token may reach (`scope@a+b`); absent: every ensemble. */
  readonly ensembles?: readonly string[];
}

/**
 * Where a client's address (its `ip` ACL identity) comes from: `edge`, Cloudflare's
 * CF-Connecting-IP, which the edge sets on every request; `loopback`, a local `wrangler dev`
 * that only listens on 127.0.0.1; `none`, nowhere — `ip` ACLs then match no one.
 */
export type ClientIpSource = "edge" | "loopback" | "none";

export interface AccessConfig {
  readonly authOn: boolean;
  readonly tokens: readonly Token[];
  /** The key passwords are issued under, then the previous key (still accepted while rotating). */
  readonly sessionKeys: readonly Uint8Array[];
  readonly superDigest: string | undefined;
  readonly clientIpSource: ClientIpSource;
  readonly limits: Limits;
  /** Web origins whose pages may call the HTTP API ("*" for any); none unless CORS_ORIGINS says. */
  readonly corsOrigins: ReadonlySet<string>;
  /** True when running on the local-development fallback key (said once in the log). */
  readonly developmentKey: boolean;
}

/** Session secrets shorter than this are refused: 32 bytes is HMAC-SHA256's own strength. */
export const minSecretBytes = 32;

export const secretHelp =
  "set it with `npx wrangler secret put SESSION_SECRET` (e.g. the output of `openssl rand -base64 48`)";

const developmentSecret = "edgekeeper-local-development-only-never-deployed";
const cache = new WeakMap<object, AccessConfig | ConfigError>();

/** A setting that keeps the deployment from serving at all, with what to do about it. */
export class ConfigError extends Error {}

let warnedDevelopment = false;

/** The settings for `env`, or why this deployment must not serve. */
export function accessConfig(env: AccessVars): AccessConfig | ConfigError {
  const cached = cache.get(env);
  if (cached) return cached;
  let config: AccessConfig | ConfigError;
  try {
    config = build(env);
  } catch (error) {
    config = error instanceof ConfigError ? error : new ConfigError(String(error));
  }
  cache.set(env, config);
  if (!(config instanceof ConfigError) && config.developmentKey && !warnedDevelopment) {
    warnedDevelopment = true;
    console.warn(
      "edgekeeper: AUTH=off and no SESSION_SECRET — session passwords use a local-development key",
    );
  }
  return config;
}

/** Like accessConfig, for code that cannot answer a request: throws the configuration error. */
export function requireAccessConfig(env: AccessVars): AccessConfig {
  const config = accessConfig(env);
  if (config instanceof ConfigError) throw config;
  return config;
}

function build(env: AccessVars): AccessConfig {
  const authOn = env.AUTH !== "off";
  const current = env.SESSION_SECRET ?? "";
  const weak = new TextEncoder().encode(current).length < minSecretBytes;
  if (authOn && weak) {
    throw new ConfigError(
      `edgekeeper refuses to serve: SESSION_SECRET is ${current === "" ? "missing" : `shorter than ${minSecretBytes} bytes`}; ${secretHelp}`,
    );
  }
  const previous = env.SESSION_SECRET_PREVIOUS ?? "";
  if (previous !== "" && new TextEncoder().encode(previous).length < minSecretBytes) {
    throw new ConfigError(
      `edgekeeper refuses to serve: SESSION_SECRET_PREVIOUS is shorter than ${minSecretBytes} bytes`,
    );
  }
  const developmentKey = !authOn && weak;
  const keys = [developmentKey ? developmentSecret : current, ...(previous ? [previous] : [])];
  return {
    authOn,
    tokens: parseTokens(env.AUTH_TOKENS ?? ""),
    sessionKeys: keys.map((k) => new TextEncoder().encode(k)),
    superDigest: env.SUPER_DIGEST?.trim() || undefined,
    clientIpSource: parseIpSource(env.CLIENT_IP_SOURCE),
    limits: limitsFrom(env.LIMITS),
    corsOrigins: parseCorsOrigins(env.CORS_ORIGINS),
    developmentKey,
  };
}

/**
 * AUTH_TOKENS: comma-separated `name:scope:token` entries; `name:scope@a+b:token` limits the token
 * to ensembles a and b. A bare `token` (the earlier format) is a write-scoped token named
 * `token-<n>`. Names must be unique: a session belongs to one.
 */
export function parseTokens(text: string): Token[] {
  const tokens: Token[] = [];
  const entries = text
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  entries.forEach((entry, i) => {
    const parts = entry.split(":");
    if (parts.length === 1) {
      tokens.push({ name: `token-${i + 1}`, scope: "write", secret: entry });
      return;
    }
    const [name = "", scoped = "", ...rest] = parts;
    const secret = rest.join(":");
    // `write@orders+billing`: the scope, limited to those ensembles.
    const [scope, limited] = scoped.split("@", 2) as [string, string | undefined];
    const ensembles = limited?.split("+");
    // Names travel with every socket (its attachment is small) and into session passwords.
    const goodName = /^[A-Za-z0-9._-]{1,64}$/.test(name);
    const goodEnsembles =
      ensembles === undefined || ensembles.every((e) => /^[a-z0-9][a-z0-9-]{0,31}$/.test(e));
    if (
      !goodName ||
      !secret ||
      !goodEnsembles ||
      (scope !== "read" && scope !== "write" && scope !== "admin")
    ) {
      throw new ConfigError(
        `edgekeeper refuses to serve: AUTH_TOKENS entry ${i + 1} is not name:scope:token (a name of at most 64 letters, digits, ".", "_" or "-"; scope read, write or admin, optionally @ensemble+ensemble…)`,
      );
    }
    if (tokens.some((t) => t.name === name))
      throw new ConfigError(`edgekeeper refuses to serve: AUTH_TOKENS names "${name}" twice`);
    tokens.push(
      ensembles === undefined ? { name, scope, secret } : { name, scope, secret, ensembles },
    );
  });
  return tokens;
}

/**
 * CORS_ORIGINS: comma-separated origins (`https://app.example.com`, scheme and host only) whose
 * pages may read the HTTP API's answers, or `*` for any. Tokens are bearer headers, never
 * cookies, so a page can only use a token it was given.
 */
function parseCorsOrigins(text: string | undefined): ReadonlySet<string> {
  const origins = new Set<string>();
  for (const entry of (text ?? "").split(",").map((e) => e.trim())) {
    if (entry === "") continue;
    if (entry === "*") {
      origins.add(entry);
      continue;
    }
    let url: URL | null = null;
    try {
      url = new URL(entry);
    } catch {
      url = null;
    }
    if (!url || url.origin !== entry)
      throw new ConfigError(
        `edgekeeper refuses to serve: CORS_ORIGINS entry "${entry}" is not an origin (scheme://host[:port], no path) or *`,
      );
    origins.add(entry);
  }
  return origins;
}

function parseIpSource(text: string | undefined): ClientIpSource {
  const value = (text ?? "none").trim();
  if (value === "edge" || value === "loopback" || value === "none") return value;
  throw new ConfigError(
    `edgekeeper refuses to serve: CLIENT_IP_SOURCE must be edge, loopback or none, not "${value}"`,
  );
}
