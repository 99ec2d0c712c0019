// The WebSocket session protocol's frames (JSON text, one per message). Client frames are
// validated here; a frame that fails gets an error reply and changes nothing.

import { z } from "zod";
import { aclSchema, encodingSchema, modeSchema, multiOpSchema } from "./request-schemas.ts";

const path = z.string().min(1).max(4096);
const id = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const seq = z.number().int().positive().optional();
const data = {
  data: z
    .string()
    .max(2 * 1024 * 1024)
    .optional(),
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
