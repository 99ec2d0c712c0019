// The WebSocket session protocol's frames (JSON text, one per message). Client frames are
// validated here; a frame that fails gets an error reply and changes nothing.

import { z } from "zod";
import type { ErrorName } from "../core/error-code.ts";
import type { EventType } from "../core/tree/tree-event.ts";
import type { DataEncoding } from "./data-encoding.ts";
import {
  aclSchema,
  dataTextSchema,
  encodingSchema,
  modeSchema,
  multiOpSchema,
} from "./request-schemas.ts";
import type { StatJson } from "./stat-json.ts";

const path = z.string().min(1).max(4096);
const id = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const seq = z.number().int().positive().optional();
const data = {
  data: dataTextSchema.optional(),
  encoding: encodingSchema.optional(),
};
const version = z.number().int().default(-1);
const paths = z.array(path).max(100_000).default([]);

export const connectFrameSchema = z.strictObject({
  op: z.literal("connect"),
  timeoutMs: z.number().int().positive().optional(),
  sessionId: z
    .string()
    .regex(/^(0x[0-9a-fA-F]{1,16}|\d{1,20})$/)
    .optional(),
  password: z.string().max(64).optional(),
  lastZxid: z.number().int().min(0).optional(),
});

export const requestFrameSchema = z.discriminatedUnion("op", [
  z.strictObject({ op: z.literal("ping"), id }),
  z.strictObject({ op: z.literal("close"), id }),
  z.strictObject({
    op: z.literal("auth"),
    id,
    scheme: z.string().max(64),
    credential: z.string().max(1024),
  }),
  z.strictObject({
    op: z.literal("create"),
    id,
    seq,
    path,
    ...data,
    mode: modeSchema.optional(),
    ttlMs: z.number().int().positive().optional(),
    acl: aclSchema.optional(),
  }),
  z.strictObject({ op: z.literal("delete"), id, seq, path, version }),
  z.strictObject({ op: z.literal("setData"), id, seq, path, ...data, version }),
  z.strictObject({ op: z.literal("setACL"), id, seq, path, acl: aclSchema, version }),
  z.strictObject({ op: z.literal("multi"), id, seq, ops: z.array(multiOpSchema).max(1000) }),
  z.strictObject({ op: z.literal("getData"), id, path, watch: z.boolean().optional() }),
  z.strictObject({ op: z.literal("exists"), id, path, watch: z.boolean().optional() }),
  z.strictObject({
    op: z.literal("getChildren"),
    id,
    path,
    watch: z.boolean().optional(),
    limit: z.number().int().positive().optional(),
    after: z.string().optional(),
  }),
  z.strictObject({ op: z.literal("getAllChildrenNumber"), id, path }),
  z.strictObject({
    op: z.literal("multiRead"),
    id,
    ops: z.array(z.strictObject({ op: z.enum(["getData", "getChildren"]), path })).max(1000),
  }),
  z.strictObject({ op: z.literal("getACL"), id, path }),
  z.strictObject({ op: z.literal("getEphemerals"), id, prefix: z.string().max(4096).default("/") }),
  z.strictObject({ op: z.literal("sync"), id }),
  z.strictObject({
    op: z.literal("addWatch"),
    id,
    path,
    mode: z.enum(["persistent", "persistentRecursive"]),
  }),
  z.strictObject({
    op: z.literal("removeWatches"),
    id,
    path,
    type: z.enum(["children", "data", "any", "persistent", "persistentRecursive"]),
  }),
  z.strictObject({
    op: z.literal("setWatches"),
    id,
    lastZxid: z.number().int().min(0),
    data: paths,
    exist: paths,
    child: paths,
    persistent: paths,
    persistentRecursive: paths,
    /** Beyond ZooKeeper: replay every change persistent watches missed since lastZxid. */
    replay: z.boolean().default(false),
  }),
]);

export type ConnectFrame = z.infer<typeof connectFrameSchema>;
export type RequestFrame = z.infer<typeof requestFrameSchema>;

/** Ops that change the tree (they go through the log; everything else is served locally). */
export const writeOps: ReadonlySet<RequestFrame["op"]> = new Set([
  "create",
  "delete",
  "setData",
  "setACL",
  "multi",
]);

/** An error as every JSON answer carries it. */
export interface ErrorJson {
  readonly code: number;
  readonly name: ErrorName;
  readonly message: string;
  readonly path?: string;
}

/** The member's answer to `connect`. */
export interface ConnectedFrame {
  readonly type: "connected";
  readonly sessionId: string;
  readonly password: string;
  readonly timeoutMs: number;
  readonly zxid: number;
}

/** The session ended (closed or expired) while this socket carried it. */
export interface SessionEndFrame {
  readonly type: "session";
  readonly state: "closed" | "expired";
  readonly sessionId: string;
}

/** A watch fired. */
export interface EventFrame {
  readonly type: "event";
  readonly event: EventType;
  readonly path: string;
  readonly zxid: number;
}

/** One result of a multiRead. */
export type MultiReadResultJson =
  | {
      readonly op: "getData";
      readonly data: string;
      readonly encoding: DataEncoding;
      readonly stat: StatJson;
    }
  | { readonly op: "getChildren"; readonly children: string[] }
  | { readonly op: "error"; readonly error: ErrorJson };

/**
 * The answer to a request: its id, the zxid it reflects, and either an error or the operation's
 * fields (which ones depends on the op).
 */
export interface ReplyFrame {
  readonly type: "reply";
  readonly id?: number;
  readonly zxid?: number;
  readonly error?: ErrorJson;
  /** A write's kind: create, setData, … */
  readonly result?: string;
  readonly path?: string;
  readonly stat?: StatJson;
  readonly data?: string;
  readonly encoding?: DataEncoding;
  readonly children?: string[];
  readonly more?: boolean;
  readonly count?: number;
  readonly acl?: Array<{ perms: number; scheme: string; id: string }>;
  readonly paths?: string[];
  /** multi: each op's result; multiRead: each read's result. */
  readonly results?: Array<Record<string, unknown>>;
  readonly compacted?: Array<{ path: string; error: { name: ErrorName; message: string } }>;
}

/** Every frame a member sends on the JSON session protocol. */
export type ServerFrame = ConnectedFrame | SessionEndFrame | EventFrame | ReplyFrame;
