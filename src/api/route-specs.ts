// Every public route as an OpenAPI operation (@hono/zod-openapi's createRoute): its parameters,
// request body and responses, built from the zod schemas the routes validate requests with and
// the response schemas a test checks real answers against. The OpenAPI document is generated
// from this list; a test checks it against the routes the app registers.

import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import {
  createBodySchema,
  multiBodySchema,
  multiReadBodySchema,
  sessionBodySchema,
  setAclBodySchema,
  setBodySchema,
} from "../protocol/request-schemas.ts";
import {
  consSchema,
  createdSchema,
  deletedSchema,
  ensembleDeletedSchema,
  ensembleDescriptionSchema,
  ensembleListSchema,
  ensembleSchema,
  errorBodySchema,
  faultsSchema,
  membersSchema,
  mntrSchema,
  multiAnswerSchema,
  multiErrorBodySchema,
  multiReadAnswerSchema,
  readAnswerSchema,
  reconfigSchema,
  ruokSchema,
  sessionClosedSchema,
  sessionCreatedSchema,
  sessionIdAnswerSchema,
  sessionsSchema,
  setAnswerSchema,
  srvrSchema,
  syncAnswerSchema,
  watchAnswerSchema,
  wchsSchema,
  whoamiSchema,
} from "../protocol/response-schemas.ts";
import { ensembleBodySchema } from "./ensembles-routes.ts";
import { faultsBodySchema } from "./fault-route.ts";
import { reconfigBodySchema } from "./members-routes.ts";

type Spec = ReturnType<typeof createRoute>;

/** An operation and the Hono route that serves it (`/v1/znodes/*` for `/v1/znodes/{path}`). */
export interface RouteSpec {
  readonly hono: string;
  readonly spec: Spec;
}

const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** Every operation can fail with a ZooKeeper error; the status says which kind (docs/api.md). */
const errors = {
  default: json(
    errorBodySchema,
    "a ZooKeeper error: 400 bad input, 401/403 auth, 404 NONODE, 409 NODEEXISTS/NOTEMPTY, 412 BADVERSION, 413 too large, 429 a limit, 503 no quorum",
  ),
};

const znodePath = z.object({
  path: z.string().meta({
    description:
      "the znode's path after /v1/znodes/ — slashes separate its segments, each percent-encoded",
    example: "app/config",
  }),
});

const sessionHeaders = z.object({
  "x-session-id": z.string().optional().meta({ description: "act as this session" }),
  "x-session-password": z.string().optional(),
  "x-session-seq": z
    .string()
    .optional()
    .meta({ description: "the session's write sequence number: a retry is applied once" }),
  "x-auth-digest": z
    .string()
    .optional()
    .meta({ description: "user:password[, …] identities for ACL checks" }),
});

const memberQuery = z.object({
  member: z.string().optional().meta({ description: "member index (default 0)" }),
});

const flag = (description: string) => z.string().optional().meta({ description });

const readQuery = z.object({
  stat: flag("Stat only (exists)"),
  children: flag("child names in order, with the parent's Stat"),
  limit: flag("with children: page size"),
  after: flag("with children: the last name of the previous page"),
  count: flag("number of descendants"),
  acl: flag("ACL and Stat"),
  consistency: z
    .enum(["linearizable"])
    .optional()
    .meta({ description: "read after a quorum-confirmed read point" }),
});

const readResponses = {
  200: {
    description: "data and Stat; with ?stat, ?children, ?count or ?acl, that instead",
    content: {
      "application/json": { schema: readAnswerSchema },
      "application/octet-stream": {
        schema: z
          .string()
          .meta({ format: "binary", description: "with that Accept: the raw data" }),
      },
    },
  },
  ...errors,
};

const rawOrJson = (schema: z.ZodType) => ({
  content: {
    "application/json": { schema },
    "application/octet-stream": {
      schema: z.string().meta({ format: "binary", description: "the data itself" }),
    },
  },
});

const setResponses = { 200: json(setAnswerSchema, "the new Stat"), ...errors };

function znodeRoutes(): RouteSpec[] {
  const root = "/v1/znodes";
  const path = `${root}/{path}`;
  const wildcard = `${root}/*`;
  return [
    {
      hono: wildcard,
      spec: createRoute({
        method: "get",
        path,
        summary: "Read a znode",
        request: { params: znodePath, query: readQuery, headers: sessionHeaders },
        responses: readResponses,
      }),
    },
    {
      hono: root,
      spec: createRoute({
        method: "get",
        path: root,
        summary: "Read the root znode",
        request: { query: readQuery, headers: sessionHeaders },
        responses: readResponses,
      }),
    },
    {
      hono: wildcard,
      spec: createRoute({
        method: "post",
        path,
        summary: "Create a znode (JSON, or the raw body as data with ?mode&ttl)",
        request: {
          params: znodePath,
          query: z.object({
            mode: flag("with a raw body: persistent, ephemeral, …_sequential, container, …_ttl"),
            ttl: flag("with a raw body: TTL in ms"),
          }),
          headers: sessionHeaders,
          body: rawOrJson(createBodySchema),
        },
        responses: { 201: json(createdSchema, "created"), ...errors },
      }),
    },
    {
      hono: wildcard,
      spec: createRoute({
        method: "put",
        path,
        summary: "Set a znode's data (JSON or raw), or with ?acl its ACL",
        request: {
          params: znodePath,
          query: z.object({
            version: flag("with a raw body: the expected data version"),
            acl: flag("set the ACL: the body is {acl, version}"),
          }),
          headers: sessionHeaders,
          body: rawOrJson(z.union([setBodySchema, setAclBodySchema])),
        },
        responses: setResponses,
      }),
    },
    {
      hono: root,
      spec: createRoute({
        method: "put",
        path: root,
        summary: "Set the root's data, or with ?acl its ACL",
        request: {
          headers: sessionHeaders,
          body: rawOrJson(z.union([setBodySchema, setAclBodySchema])),
        },
        responses: setResponses,
      }),
    },
    {
      hono: wildcard,
      spec: createRoute({
        method: "delete",
        path,
        summary: "Delete a znode",
        request: {
          params: znodePath,
          query: z.object({ version: flag("the expected data version") }),
          headers: sessionHeaders,
        },
        responses: { 200: json(deletedSchema, "deleted"), ...errors },
      }),
    },
  ];
}

const sessionId = z.object({
  id: z.string().meta({ description: "session id, decimal or 0x hex" }),
});

function ensembleRoutes(): RouteSpec[] {
  return [
    {
      hono: "/v1/multi",
      spec: createRoute({
        method: "post",
        path: "/v1/multi",
        summary: "An atomic multi-op transaction",
        request: {
          headers: sessionHeaders,
          body: { content: { "application/json": { schema: multiBodySchema } } },
        },
        responses: {
          200: json(multiAnswerSchema, "every op applied, in order"),
          default: json(
            z.union([multiErrorBodySchema, errorBodySchema]),
            "none applied: the error (its status as for a single op) and, when an op failed, one result per op",
          ),
        },
      }),
    },
    {
      hono: "/v1/multi-read",
      spec: createRoute({
        method: "post",
        path: "/v1/multi-read",
        summary: "Several reads answered together",
        request: {
          headers: sessionHeaders,
          body: { content: { "application/json": { schema: multiReadBodySchema } } },
        },
        responses: { 200: json(multiReadAnswerSchema, "one result per read"), ...errors },
      }),
    },
    {
      hono: "/v1/sync",
      spec: createRoute({
        method: "post",
        path: "/v1/sync",
        summary: "A quorum read point for this caller's member",
        request: { headers: sessionHeaders },
        responses: { 200: json(syncAnswerSchema, "synced"), ...errors },
      }),
    },
    {
      hono: "/v1/sessions",
      spec: createRoute({
        method: "post",
        path: "/v1/sessions",
        summary: "Create a session",
        request: { body: { content: { "application/json": { schema: sessionBodySchema } } } },
        responses: { 201: json(sessionCreatedSchema, "the session and its password"), ...errors },
      }),
    },
    {
      hono: "/v1/sessions/:id/keepalive",
      spec: createRoute({
        method: "post",
        path: "/v1/sessions/{id}/keepalive",
        summary: "Keep a session alive",
        request: { params: sessionId, headers: sessionHeaders },
        responses: { 200: json(sessionIdAnswerSchema, "heard"), ...errors },
      }),
    },
    {
      hono: "/v1/sessions/:id",
      spec: createRoute({
        method: "delete",
        path: "/v1/sessions/{id}",
        summary: "Close a session (its ephemerals go)",
        request: { params: sessionId, headers: sessionHeaders },
        responses: { 200: json(sessionClosedSchema, "closed"), ...errors },
      }),
    },
    {
      hono: "/v1/watch/*",
      spec: createRoute({
        method: "get",
        path: "/v1/watch/{path}",
        summary: "Long-poll the changes at a znode (or below) after a zxid",
        request: {
          params: znodePath,
          query: z.object({
            since: flag("the last zxid seen (default 0)"),
            wait: flag("seconds to wait for a change, 0–60 (default 30)"),
            recursive: flag("the whole subtree"),
          }),
          headers: sessionHeaders,
        },
        responses: {
          200: json(watchAnswerSchema, "the changes after since (none if the wait ran out)"),
          ...errors,
        },
      }),
    },
    ...(["/v1/session", "/v1/zk"] as const).map((p) => ({
      hono: p,
      spec: createRoute({
        method: "get",
        path: p,
        summary:
          p === "/v1/session"
            ? "The WebSocket session protocol (Upgrade: websocket; docs/protocol.md)"
            : "ZooKeeper's binary protocol over WebSocket, one jute frame per message",
        request: {
          query: memberQuery.extend({
            access_token: flag("the bearer token, for browsers (no headers on an upgrade)"),
          }),
        },
        responses: { 101: { description: "switching to the WebSocket" }, ...errors },
      }),
    })),
  ];
}

function adminRoutes(): RouteSpec[] {
  const admin = (name: string, summary: string, schema: z.ZodType) => ({
    hono: `/v1/admin/${name}`,
    spec: createRoute({
      method: "get",
      path: `/v1/admin/${name}`,
      summary,
      request: { query: memberQuery },
      responses: { 200: json(schema, summary), ...errors },
    }),
  });
  return [
    admin("ruok", "Is the member alive", ruokSchema),
    admin("srvr", "The member's role, zxid and counts", srvrSchema),
    admin("stat", "The member's role, zxid and counts (srvr)", srvrSchema),
    admin("mntr", "ZooKeeper-style monitoring keys", mntrSchema),
    admin("cons", "Connections and their watches", consSchema),
    admin("wchs", "Watch totals", wchsSchema),
    {
      hono: "/v1/admin/snapshot",
      spec: createRoute({
        method: "get",
        path: "/v1/admin/snapshot",
        summary:
          "One member's tree as a snapshot file (a backup), streamed; needs the admin scope, X-Auth-Digest with ALL on /, one per snapshotIntervalMs",
        request: { query: memberQuery, headers: sessionHeaders.pick({ "x-auth-digest": true }) },
        responses: {
          200: {
            description: "the snapshot file",
            content: {
              "application/octet-stream": { schema: z.string().meta({ format: "binary" }) },
            },
          },
          ...errors,
        },
      }),
    },
    {
      hono: "/v1/admin/restore",
      spec: createRoute({
        method: "post",
        path: "/v1/admin/restore",
        summary:
          "Seeds the ensemble from a backup (a snapshot file), digest-checked on every member before anything changes; needs the admin scope and X-Auth-Digest with ALL on /, and an ensemble holding nothing yet unless force=true",
        request: {
          query: z.object({
            force: z.enum(["true", "false"]).optional().meta({
              description: "restore over sessions and nodes outside /zookeeper",
            }),
          }),
          headers: sessionHeaders.pick({ "x-auth-digest": true }),
          body: {
            content: {
              "application/octet-stream": { schema: z.string().meta({ format: "binary" }) },
            },
          },
        },
        responses: {
          200: {
            description: "what was restored",
            content: {
              "application/json": {
                schema: z.object({
                  command: z.literal("restore"),
                  index: z.number().int(),
                  digest: z.string(),
                  nodes: z.number().int(),
                  term: z.number().int(),
                  members: z.number().int(),
                  error: z.null(),
                }),
              },
            },
          },
          ...errors,
        },
      }),
    },
    {
      hono: "/v1/admin/members",
      spec: createRoute({
        method: "get",
        path: "/v1/admin/members",
        summary:
          "The live membership (voters and observers, as the leader holds it) and each member's state",
        responses: { 200: json(membersSchema, "the membership"), ...errors },
      }),
    },
    {
      hono: "/v1/admin/members",
      spec: createRoute({
        method: "post",
        path: "/v1/admin/members",
        summary:
          "Changes the membership while the ensemble serves (ZooKeeper's reconfig): add a voter or an observer (optionally placed in a region), promote an observer, remove a member; one change at a time, answered once committed",
        request: {
          body: { content: { "application/json": { schema: reconfigBodySchema } } },
        },
        responses: { 200: json(reconfigSchema, "the change made"), ...errors },
      }),
    },
    {
      hono: "/v1/admin/ensemble",
      spec: createRoute({
        method: "get",
        path: "/v1/admin/ensemble",
        summary: "Every member's status",
        responses: { 200: json(ensembleSchema, "each member"), ...errors },
      }),
    },
    {
      hono: "/v1/admin/ensemble/stream",
      spec: createRoute({
        method: "get",
        path: "/v1/admin/ensemble/stream",
        summary:
          "Every member's status as Server-Sent Events (event: ensemble), one view per interval; ends after 10 minutes",
        request: {
          query: z.object({ interval: flag("ms between two views, 250–10,000 (default 1,000)") }),
        },
        responses: {
          200: {
            description:
              "text/event-stream; each event's data is what /v1/admin/ensemble answers, plus atMs",
            content: { "text/event-stream": { schema: z.string() } },
          },
          ...errors,
        },
      }),
    },
    {
      hono: "/v1/admin/sessions",
      spec: createRoute({
        method: "get",
        path: "/v1/admin/sessions",
        summary: "Every session: timeout, member, connections, watches, ephemerals (paged)",
        request: {
          query: z.object({
            after: flag("the last sessionId of the previous page"),
            limit: flag("page size, 1–1,000 (default 100)"),
          }),
        },
        responses: { 200: json(sessionsSchema, "a page of sessions"), ...errors },
      }),
    },
    {
      hono: "/v1/admin/sessions/:id",
      spec: createRoute({
        method: "delete",
        path: "/v1/admin/sessions/{id}",
        summary: "Close any session as an operator (no password; its ephemerals go)",
        request: { params: sessionId },
        responses: { 200: json(sessionClosedSchema, "closed"), ...errors },
      }),
    },
    {
      hono: "/v1/admin/faults",
      spec: createRoute({
        method: "put",
        path: "/v1/admin/faults",
        summary: "Test-only: cut a member off (501 unless FAULT_INJECTION=on)",
        request: {
          query: memberQuery,
          body: { content: { "application/json": { schema: faultsBodySchema } } },
        },
        responses: { 200: json(faultsSchema, "the member's faults now"), ...errors },
      }),
    },
    {
      hono: "/metrics",
      spec: createRoute({
        method: "get",
        path: "/metrics",
        summary: "Prometheus metrics of every member",
        responses: {
          200: {
            description: "the text exposition format",
            content: { "text/plain": { schema: z.string() } },
          },
          ...errors,
        },
      }),
    },
  ];
}

function ensembleResourceRoutes(): RouteSpec[] {
  const name = z.object({ name: z.string().meta({ description: "the ensemble's name" }) });
  return [
    {
      hono: "/v1/ensembles",
      spec: createRoute({
        method: "post",
        path: "/v1/ensembles",
        summary:
          "Create an ensemble (3 or 5 members, placed in the given regions); its API is /v1/e/<name>/…",
        request: { body: { content: { "application/json": { schema: ensembleBodySchema } } } },
        responses: {
          201: json(ensembleDescriptionSchema, "created, its members started"),
          ...errors,
        },
      }),
    },
    {
      hono: "/v1/ensembles",
      spec: createRoute({
        method: "get",
        path: "/v1/ensembles",
        summary: "Every ensemble, the default one first",
        responses: { 200: json(ensembleListSchema, "the ensembles"), ...errors },
      }),
    },
    {
      hono: "/v1/ensembles/:name",
      spec: createRoute({
        method: "get",
        path: "/v1/ensembles/{name}",
        summary: "One ensemble",
        request: { params: name },
        responses: { 200: json(ensembleDescriptionSchema, "the ensemble"), ...errors },
      }),
    },
    {
      hono: "/v1/ensembles/:name",
      spec: createRoute({
        method: "delete",
        path: "/v1/ensembles/{name}",
        summary: "Delete an ensemble and all its members' storage (not the default one)",
        request: { params: name },
        responses: { 200: json(ensembleDeletedSchema, "deleted"), ...errors },
      }),
    },
  ];
}

function documentRoutes(): RouteSpec[] {
  return [
    {
      hono: "/v1/whoami",
      spec: createRoute({
        method: "get",
        path: "/v1/whoami",
        summary: "Whether tokens are checked, and the caller's token name and scope",
        responses: { 200: json(whoamiSchema, "the caller"), ...errors },
      }),
    },
    {
      hono: "/",
      spec: createRoute({
        method: "get",
        path: "/",
        summary: "Redirects to the dashboard (/dashboard/, static assets)",
        responses: { 302: { description: "to /dashboard/" } },
      }),
    },
    {
      hono: "/v1/openapi.json",
      spec: createRoute({
        method: "get",
        path: "/v1/openapi.json",
        summary: "This document",
        responses: {
          200: {
            description: "OpenAPI 3.1",
            content: { "application/json": { schema: z.looseObject({}) } },
          },
        },
      }),
    },
    {
      hono: "/v1/docs",
      spec: createRoute({
        method: "get",
        path: "/v1/docs",
        summary: "This document as an interactive page",
        responses: {
          200: { description: "HTML", content: { "text/html": { schema: z.string() } } },
        },
      }),
    },
  ];
}

/** Every public route, in the order the reference page lists them. */
export const routeSpecs: readonly RouteSpec[] = [
  ...znodeRoutes(),
  ...ensembleRoutes(),
  ...adminRoutes(),
  ...ensembleResourceRoutes(),
  ...documentRoutes(),
];
