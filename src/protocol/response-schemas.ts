// The JSON the HTTP API answers, as zod schemas: the OpenAPI document's responses come from them,
// and a test parses real answers with them, so the document cannot drift from what is served.

import { z } from "zod";
import { encodingSchema } from "./request-schemas.ts";

const zxid = z.number().int().meta({ description: "a zxid: the log position a change got" });

export const statSchema = z
  .strictObject({
    czxid: zxid,
    mzxid: zxid,
    ctime: z.number().int().meta({ description: "creation time, ms since the epoch" }),
    mtime: z.number().int().meta({ description: "last data change, ms since the epoch" }),
    version: z.number().int().meta({ description: "data version" }),
    cversion: z.number().int().meta({ description: "children version" }),
    aversion: z.number().int().meta({ description: "ACL version" }),
    ephemeralOwner: z
      .string()
      .regex(/^\d+$/)
      .meta({ description: "owning session id (decimal; 0 unless ephemeral)" }),
    dataLength: z.number().int(),
    numChildren: z.number().int(),
    pzxid: zxid,
  })
  .meta({ id: "Stat", description: "ZooKeeper's Stat of a znode" });

const errorFields = {
  code: z.number().int().meta({ description: "ZooKeeper's KeeperException.Code" }),
  name: z.string().meta({ description: "its name: NONODE, BADVERSION, …" }),
  path: z.string().optional(),
  message: z.string(),
};

export const errorBodySchema = z
  .strictObject({ error: z.strictObject(errorFields) })
  .meta({ id: "Error", description: "A ZooKeeper error" });

/** A failed multi: the error, and one result per op (as ZooKeeper's MultiResponse). */
export const multiErrorBodySchema = z
  .strictObject({
    error: z.strictObject(errorFields),
    results: z.array(
      z.strictObject({ error: z.strictObject({ code: z.number().int(), name: z.string() }) }),
    ),
  })
  .meta({ id: "MultiError" });

const aclEntrySchema = z.strictObject({
  perms: z.number().int().min(0).max(31).meta({ description: "bits: r 1, w 2, c 4, d 8, a 16" }),
  scheme: z.string(),
  id: z.string(),
});

export const dataAnswerSchema = z
  .strictObject({
    path: z.string(),
    data: z.string(),
    encoding: encodingSchema.meta({ description: "utf8, or base64 when not valid UTF-8" }),
    stat: statSchema,
  })
  .meta({ id: "ZnodeData" });

export const childrenAnswerSchema = z
  .strictObject({
    path: z.string(),
    children: z.array(z.string()),
    more: z.boolean().optional().meta({ description: "with limit: more children follow" }),
    stat: statSchema,
  })
  .meta({ id: "ZnodeChildren" });

export const aclAnswerSchema = z
  .strictObject({ path: z.string(), acl: z.array(aclEntrySchema), stat: statSchema })
  .meta({ id: "ZnodeAcl" });

export const countAnswerSchema = z
  .strictObject({ path: z.string(), count: z.number().int() })
  .meta({ id: "ZnodeCount" });

export const statAnswerSchema = z
  .strictObject({ path: z.string(), stat: statSchema })
  .meta({ id: "ZnodeStat" });

export const readAnswerSchema = z
  .union([
    dataAnswerSchema,
    childrenAnswerSchema,
    aclAnswerSchema,
    countAnswerSchema,
    statAnswerSchema,
  ])
  .meta({ description: "data and Stat; with ?stat, ?children, ?count or ?acl, that instead" });

const opResultSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("create"), path: z.string(), stat: statSchema }),
  z.strictObject({ type: z.enum(["setData", "setACL"]), stat: statSchema }),
  z.strictObject({ type: z.enum(["delete", "check"]) }),
]);

export const createdSchema = z
  .strictObject({ zxid, type: z.literal("create"), path: z.string(), stat: statSchema })
  .meta({ id: "Created", description: "path: the name given (a sequential create's suffix)" });

export const setAnswerSchema = z
  .strictObject({ zxid, type: z.enum(["setData", "setACL"]), stat: statSchema })
  .meta({ id: "Set" });

export const deletedSchema = z
  .strictObject({ zxid, type: z.literal("delete") })
  .meta({ id: "Deleted" });

export const multiAnswerSchema = z
  .strictObject({ zxid, type: z.literal("multi"), results: z.array(opResultSchema) })
  .meta({ id: "MultiResult" });

export const multiReadAnswerSchema = z
  .strictObject({
    results: z.array(
      z.union([
        z.strictObject({
          op: z.literal("getData"),
          data: z.string(),
          encoding: encodingSchema,
          stat: statSchema,
        }),
        z.strictObject({ op: z.literal("getChildren"), children: z.array(z.string()) }),
        z.strictObject({
          op: z.literal("error"),
          error: z.strictObject({
            name: z.string(),
            message: z.string(),
            path: z.string().optional(),
          }),
        }),
      ]),
    ),
  })
  .meta({ id: "MultiReadResult" });

export const syncAnswerSchema = z
  .strictObject({ zxid })
  .meta({ description: "the member has applied every write acknowledged before" });

export const sessionCreatedSchema = z
  .strictObject({
    sessionId: z.string().meta({ description: "decimal" }),
    sessionIdHex: z.string(),
    password: z.string().meta({ description: "base64; send as X-Session-Password" }),
    timeoutMs: z.number().int().meta({ description: "as granted (clamped to the limits)" }),
    member: z.number().int().meta({ description: "the member that serves the session" }),
  })
  .meta({ id: "SessionCreated" });

export const sessionIdAnswerSchema = z.strictObject({ sessionId: z.string() });

export const sessionClosedSchema = z.strictObject({
  zxid,
  type: z.literal("closeSession"),
  sessionId: z.string(),
});

export const watchAnswerSchema = z
  .strictObject({
    path: z.string(),
    zxid: zxid.meta({ description: "pass as the next ?since to miss nothing" }),
    events: z.array(
      z.strictObject({
        event: z.enum(["NodeCreated", "NodeDeleted", "NodeDataChanged", "NodeChildrenChanged"]),
        path: z.string(),
        zxid,
      }),
    ),
  })
  .meta({ id: "WatchEvents" });

const adminFields = { error: z.null() };

export const ruokSchema = z.strictObject({
  command: z.literal("ruok"),
  member: z.number().int(),
  answer: z.literal("imok"),
  ...adminFields,
});

export const srvrSchema = z.strictObject({
  command: z.literal("srvr"),
  version: z.string(),
  member: z.number().int(),
  server_state: z.string(),
  leader: z.number().int().nullable(),
  term: z.number().int(),
  zxid,
  node_count: z.number().int(),
  connections: z.number().int(),
  outstanding_requests: z.number().int(),
  ...adminFields,
});

export const mntrSchema = z
  .looseObject({ command: z.literal("mntr"), ...adminFields })
  .meta({ description: "ZooKeeper's mntr keys (zk_*), numbers and strings" });

export const consSchema = z.strictObject({
  command: z.literal("cons"),
  member: z.number().int(),
  connections: z.array(z.looseObject({})),
  ...adminFields,
});

export const wchsSchema = z.strictObject({
  command: z.literal("wchs"),
  member: z.number().int(),
  num_connections: z.number().int(),
  num_paths: z.number().int(),
  num_total_watches: z.number().int(),
  ...adminFields,
});

export const ensembleSchema = z.strictObject({
  command: z.literal("ensemble"),
  name: z.string(),
  members: z.array(
    z.looseObject({ member: z.number().int(), reachable: z.boolean() }).meta({
      description: "each member's status (role, term, indexes, counters) or its error",
    }),
  ),
  ...adminFields,
});

export const sessionsSchema = z
  .strictObject({
    command: z.literal("sessions"),
    zxid,
    sessions: z.array(
      z.strictObject({
        sessionId: z.string().meta({ description: "decimal" }),
        sessionIdHex: z.string(),
        timeoutMs: z.number().int(),
        createdZxid: zxid,
        lastZxid: zxid.meta({ description: "the session's last write (0 before its first)" }),
        member: z.number().int().meta({ description: "the member that serves the session" }),
        connections: z.array(
          z.strictObject({
            member: z.number().int(),
            protocol: z.string().meta({ description: "json (session protocol) or zk" }),
            watches: z.number().int(),
          }),
        ),
        watches: z.number().int(),
        ephemeralCount: z.number().int(),
        ephemerals: z.array(z.string()).meta({ description: "the first 20, in path order" }),
      }),
    ),
    more: z.boolean().meta({ description: "pass the last sessionId as ?after for the next page" }),
    ...adminFields,
  })
  .meta({ id: "Sessions" });

export const whoamiSchema = z
  .strictObject({
    auth: z.enum(["on", "off"]),
    name: z.string().meta({ description: "the token's name (empty with auth off)" }),
    scope: z.enum(["read", "write", "admin"]),
    ensembles: z
      .array(z.string())
      .optional()
      .meta({ description: "the ensembles the token is limited to; absent: every one" }),
  })
  .meta({ id: "WhoAmI" });

export const faultsSchema = z.strictObject({
  command: z.literal("faults"),
  member: z.number().int(),
  faults: z.strictObject({
    dropTo: z.array(z.number().int()),
    dropFrom: z.array(z.number().int()),
    down: z.boolean(),
  }),
  ...adminFields,
});

export const ensembleDescriptionSchema = z
  .strictObject({
    name: z.string(),
    size: z.number().int(),
    regions: z.array(z.string()).meta({ description: "location hints, member i gets i mod n" }),
    limits: z
      .strictObject({
        maxZnodes: z.number().int().optional(),
        maxTreeBytes: z.number().int().optional(),
        maxSessions: z.number().int().optional(),
      })
      .meta({ description: "the ensemble's own caps (the deployment's LIMITS otherwise)" }),
    members: z.array(z.strictObject({ member: z.number().int(), region: z.string().nullable() })),
    state: z.enum(["creating", "ready", "deleting"]),
    createdMs: z.number().int().nullable(),
    default: z.boolean().meta({ description: "the deployment's own ensemble (ENSEMBLE_NAME)" }),
    url: z.string().meta({ description: "where its API is: /v1, or /v1/e/<name>" }),
  })
  .meta({ id: "Ensemble" });

export const ensembleListSchema = z.strictObject({ ensembles: z.array(ensembleDescriptionSchema) });

export const ensembleDeletedSchema = z.strictObject({
  name: z.string(),
  deleted: z.literal(true),
  bytesLeft: z.array(z.number().int()).meta({ description: "each member's database once emptied" }),
});

/** GET /v1/admin/members: the membership the leader holds, and each member's state. */
export const membersSchema = z.strictObject({
  command: z.literal("members"),
  leader: z.number().int().nullable(),
  term: z.number().int().nullable(),
  voters: z.array(z.number().int()),
  observers: z.array(z.number().int()),
  retired: z.array(z.number().int()),
  members: z.array(
    z.strictObject({
      member: z.number().int(),
      role: z.enum(["voter", "observer", "none"]),
      reachable: z.boolean(),
      state: z.string().nullable(),
      appliedIndex: z.number().int().nullable(),
      region: z.string().nullable(),
      error: z.string().optional(),
    }),
  ),
  error: z.null(),
});

/** POST /v1/admin/members: the change made, each step's time and the membership after it. */
export const reconfigSchema = z.strictObject({
  command: z.literal("reconfig"),
  action: z.enum(["add", "remove", "promote"]),
  member: z.number().int(),
  voters: z.array(z.number().int()),
  observers: z.array(z.number().int()),
  tookMs: z.number().int(),
  steps: z.array(z.strictObject({ change: z.string(), atMs: z.number().int() })),
  error: z.null(),
});
