// The JSON bodies the HTTP API accepts, validated with zod at the boundary so malformed input
// never reaches a member.

import { z } from "zod";
import { type CreateModeName, modeNames } from "./create-mode-names.ts";

const permLetters: Record<string, number> = { r: 1, w: 2, c: 4, d: 8, a: 16 };

/** Permissions as ZooKeeper's bit mask (0–31) or zkCli's letters ("cdrwa"). */
export const permsSchema = z.union([
  z.number().int().min(0).max(31),
  z
    .string()
    .regex(/^[rwcda]*$/, 'permissions are letters from "rwcda"')
    .transform((s) => [...new Set(s)].reduce((m, ch) => m | (permLetters[ch] ?? 0), 0)),
]);

export const aclSchema = z
  .array(
    z.strictObject({
      perms: permsSchema,
      scheme: z.string().min(1).max(64),
      id: z.string().max(1024),
    }),
  )
  .max(64);

/** A create mode by name or by ZooKeeper's flag number. */
export const modeSchema = z.union([
  z
    .enum(Object.keys(modeNames) as [CreateModeName, ...CreateModeName[]])
    .transform((name) => modeNames[name]),
  z.number().int().min(0).max(6),
]);

export const encodingSchema = z.enum(["utf8", "base64"]);

const dataFields = {
  data: z
    .string()
    .max(2 * 1024 * 1024)
    .optional(),
  encoding: encodingSchema.optional(),
};

export const createBodySchema = z.strictObject({
  ...dataFields,
  mode: modeSchema.optional(),
  ttlMs: z.number().int().positive().optional(),
  acl: aclSchema.optional(),
});

export const setBodySchema = z.strictObject({
  ...dataFields,
  version: z.number().int().optional(),
});

export const setAclBodySchema = z.strictObject({
  acl: aclSchema,
  version: z.number().int().optional(),
});

const pathSchema = z.string().min(1).max(4096);
const versionSchema = z.number().int().default(-1);

export const multiOpSchema = z.discriminatedUnion("op", [
  z.strictObject({
    op: z.literal("create"),
    path: pathSchema,
    ...dataFields,
    mode: modeSchema.optional(),
    ttlMs: z.number().int().positive().optional(),
    acl: aclSchema.optional(),
  }),
  z.strictObject({ op: z.literal("delete"), path: pathSchema, version: versionSchema }),
  z.strictObject({
    op: z.literal("setData"),
    path: pathSchema,
    ...dataFields,
    version: versionSchema,
  }),
  z.strictObject({ op: z.literal("check"), path: pathSchema, version: versionSchema }),
]);

export const multiBodySchema = z.strictObject({ ops: z.array(multiOpSchema).max(1000) });

export const multiReadBodySchema = z.strictObject({
  ops: z
    .array(z.strictObject({ op: z.enum(["getData", "getChildren"]), path: pathSchema }))
    .max(1000),
});

export const sessionBodySchema = z.strictObject({
  timeoutMs: z
    .number()
    .int()
    .positive()
    .max(24 * 3600 * 1000),
});

export type CreateBody = z.infer<typeof createBodySchema>;
export type MultiOpBody = z.infer<typeof multiOpSchema>;
