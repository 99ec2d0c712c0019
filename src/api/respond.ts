// Shared answers and body parsing for the routes: the one error shape, JSON bodies checked by
// zod, and the member a caller's request goes to.

import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import type { AccessConfig } from "../access/access-config.ts";
import type { Principal } from "../access/gatekeeper.ts";
import { failure, type ZkFailure } from "../core/error-code.ts";
import { defaultTreeConfig } from "../core/tree/tree-config.ts";
import type { Env } from "../env.ts";
import { errorBody, httpStatusOf } from "../protocol/error-body.ts";
import { memberIds } from "./member-ids.ts";

/** The Worker's bindings, and what the auth gate established about the caller. */
export interface AppEnv {
  Bindings: Env;
  Variables: { access: AccessConfig; principal: Principal };
}

export type Ctx = Context<AppEnv>;

/** A JSON body may carry 1 MiB of data as base64, plus its envelope. */
export const maxJsonBodyBytes = Math.ceil((defaultTreeConfig.maxDataBytes * 4) / 3) + 64 * 1024;

/**
 * Answers with the shared error shape. A size limit (from here or from the tree, which says
 * "…; the limit is N") answers 413 although ZooKeeper calls it BADARGUMENTS.
 */
export function fail(c: Ctx, f: ZkFailure) {
  const status = /; the limit is \d+$/.test(f.message) ? 413 : httpStatusOf(f.name);
  return c.json(errorBody(f), status as ContentfulStatusCode);
}

export function stub(c: Ctx, member: number) {
  return c.env.MEMBER.getByName(`${c.env.ENSEMBLE_NAME}/${member}`);
}

/**
 * Runs a read at the caller's member; a caller without a session is not tied to one, so when
 * that member cannot be reached the read is tried at the others in turn (reads are safe to repeat).
 */
export async function readAtAnyMember<T>(
  c: Ctx,
  caller: { member: number; sessionId?: bigint },
  read: (member: ReturnType<typeof stub>) => Promise<T>,
): Promise<T> {
  if (caller.sessionId !== undefined) return read(stub(c, caller.member));
  const ids = memberIds(c.env);
  const start = Math.max(0, ids.indexOf(caller.member));
  let lastError: unknown;
  for (let i = 0; i < ids.length; i++) {
    try {
      return await read(stub(c, ids[(start + i) % ids.length] as number));
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/** Reads and validates a JSON body; a failure is BADARGUMENTS (or 413 when too large). */
export async function jsonBody<S extends z.ZodType>(
  c: Ctx,
  schema: S,
): Promise<z.infer<S> | ZkFailure> {
  const bytes = await boundedBody(c, maxJsonBodyBytes);
  if (isFailure(bytes)) return bytes;
  const text = new TextDecoder().decode(bytes);
  let value: unknown;
  try {
    value = text === "" ? {} : JSON.parse(text);
  } catch {
    return failure("MARSHALLINGERROR", "The body is not valid JSON");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
    return failure("BADARGUMENTS", `Invalid request body${where}: ${issue?.message ?? "rejected"}`);
  }
  return parsed.data as z.infer<S>;
}

/** Reads a raw body of at most the data limit. */
export async function rawBody(c: Ctx): Promise<Uint8Array | ZkFailure> {
  return boundedBody(c, defaultTreeConfig.maxDataBytes);
}

/**
 * The request body, read as a stream and abandoned as soon as it passes `limit` bytes — a
 * chunked body without Content-Length included — so an oversized body is never held whole.
 */
async function boundedBody(c: Ctx, limit: number): Promise<Uint8Array | ZkFailure> {
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > limit) return tooLarge(declared, limit);
  const stream = c.req.raw.body;
  if (!stream) return new Uint8Array();
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      return failure("BADARGUMENTS", `The body is over ${limit} bytes; the limit is ${limit}`);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

export function isJson(c: Ctx): boolean {
  return (c.req.header("content-type") ?? "").toLowerCase().startsWith("application/json");
}

/** An optional integer query parameter; undefined when absent. */
export function intQuery(c: Ctx, name: string): number | undefined | ZkFailure {
  const raw = c.req.query(name);
  if (raw === undefined) return undefined;
  // Number("") is 0: an empty value must not read as version 0.
  const n = /^-?\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  return Number.isSafeInteger(n)
    ? n
    : failure("BADARGUMENTS", `Query parameter ${name} must be an integer, not "${raw}"`);
}

export function isFailure(value: unknown): value is ZkFailure {
  return (
    typeof value === "object" &&
    value !== null &&
    "name" in value &&
    "message" in value &&
    !("ok" in value)
  );
}

function tooLarge(bytes: number, limit: number): ZkFailure {
  return failure("BADARGUMENTS", `The body is ${bytes} bytes; the limit is ${limit}`);
}
