// The JSON bodies the HTTP API accepts, validated with zod at the boundary so malformed input
// never reaches a member.

import { z } from "zod";
import { defaultTreeConfig } from "../core/tree/tree-config.ts";
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

/** The longest data text: maxDataBytes as base64 (UTF-8 text is held to maxDataBytes once encoded). */
export const maxDataTextLength = Math.ceil(defaultTreeConfig.maxDataBytes / 3) * 4;

/** Data as text, `utf8` or `base64` by `encoding`; past the limit it is a 413, as a raw body is. */
export const dataTextSchema = z
  .string()
  .max(
    maxDataTextLength,
    `Data text is longer than ${defaultTreeConfig.maxDataBytes} bytes as base64; the limit is ${maxDataTextLength}`,
  )
  .meta({
    description: `at most ${defaultTreeConfig.maxDataBytes} bytes (1 MiB) once decoded`,
  });

const dataFields = {
  data: dataTextSchema.optional(),
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
