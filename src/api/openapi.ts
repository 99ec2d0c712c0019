// The OpenAPI 3.1 document, built from the same zod schemas the routes validate with, and a
// self-contained reference page rendered from it (no outside scripts).

import { z } from "zod";
import {
  createBodySchema,
  multiBodySchema,
  multiReadBodySchema,
  sessionBodySchema,
  setBodySchema,
} from "../protocol/request-schemas.ts";
import { version } from "./admin-routes.ts";

interface RouteDoc {
  readonly method: "get" | "post" | "put" | "delete";
  /** In OpenAPI form ({path} for the znode path). */
  readonly path: string;
  /** The Hono route it documents. */
  readonly route: string;
  readonly summary: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: z.ZodType;
}

const znode = "/v1/znodes/{path}";

/** Every public route; a test checks this list against the routes the app registers. */
export const routeDocs: readonly RouteDoc[] = [
  {
    method: "get",
    path: znode,
    route: "/v1/znodes/*",
    summary: "Read a znode: data and Stat, or ?stat, ?children, ?count, ?acl",
    query: {
      stat: "Stat only",
      children: "child names",
      limit: "page size",
      after: "page cursor",
      count: "descendants",
      acl: "ACL",
      consistency: "linearizable",
    },
  },
  { method: "get", path: "/v1/znodes", route: "/v1/znodes", summary: "Read the root znode" },
  {
    method: "post",
    path: znode,
    route: "/v1/znodes/*",
    summary: "Create a znode (raw body with ?mode&ttl, or JSON)",
    query: { mode: "create mode", ttl: "TTL in ms" },
    body: createBodySchema,
  },
  {
    method: "put",
    path: znode,
    route: "/v1/znodes/*",
    summary: "Set data (raw or JSON), or ?acl to set the ACL",
    query: { version: "expected version", acl: "set the ACL instead" },
    body: setBodySchema,
  },
  {
    method: "put",
    path: "/v1/znodes",
    route: "/v1/znodes",
    summary: "Set the root's data",
    body: setBodySchema,
  },
  {
    method: "delete",
    path: znode,
    route: "/v1/znodes/*",
    summary: "Delete a znode",
    query: { version: "expected version" },
  },
  {
    method: "post",
    path: "/v1/multi",
    route: "/v1/multi",
    summary: "Atomic multi-op transaction",
    body: multiBodySchema,
  },
  {
    method: "post",
    path: "/v1/multi-read",
    route: "/v1/multi-read",
    summary: "Several reads answered together",
    body: multiReadBodySchema,
  },
  {
    method: "post",
    path: "/v1/sync",
    route: "/v1/sync",
    summary: "Quorum read point for this caller's member",
  },
  {
    method: "post",
    path: "/v1/sessions",
    route: "/v1/sessions",
    summary: "Create a session (id and password)",
    body: sessionBodySchema,
  },
  {
    method: "post",
    path: "/v1/sessions/{id}/keepalive",
    route: "/v1/sessions/:id/keepalive",
    summary: "Keep a session alive",
  },
  {
    method: "delete",
    path: "/v1/sessions/{id}",
    route: "/v1/sessions/:id",
    summary: "Close a session",
  },
  {
    method: "get",
    path: "/v1/watch/{path}",
    route: "/v1/watch/*",
    summary: "Long-poll watch",
    query: { since: "last zxid seen", wait: "seconds (≤ 60)", recursive: "whole subtree" },
  },
  {
    method: "get",
    path: "/v1/session",
    route: "/v1/session",
    summary: "WebSocket session protocol (upgrade)",
    query: { member: "member index", access_token: "bearer token for browsers" },
  },
  {
    method: "get",
    path: "/v1/zk",
    route: "/v1/zk",
    summary: "ZooKeeper's binary protocol over WebSocket (one jute frame per binary message)",
    query: { member: "member index", access_token: "bearer token" },
  },
  {
    method: "get",
    path: "/v1/admin/ruok",
    route: "/v1/admin/ruok",
    summary: "Is the member alive",
    query: { member: "member index" },
  },
  {
    method: "get",
    path: "/v1/admin/srvr",
    route: "/v1/admin/srvr",
    summary: "Member summary",
    query: { member: "member index" },
  },
  {
    method: "get",
    path: "/v1/admin/stat",
    route: "/v1/admin/stat",
    summary: "Member summary (alias of srvr)",
    query: { member: "member index" },
  },
  {
    method: "get",
    path: "/v1/admin/mntr",
    route: "/v1/admin/mntr",
    summary: "ZooKeeper-style monitoring keys",
    query: { member: "member index" },
  },
  {
    method: "get",
    path: "/v1/admin/cons",
    route: "/v1/admin/cons",
    summary: "Connections and their watches",
    query: { member: "member index" },
  },
  {
    method: "get",
    path: "/v1/admin/wchs",
    route: "/v1/admin/wchs",
    summary: "Watch totals",
    query: { member: "member index" },
  },
  {
    method: "get",
    path: "/v1/admin/snapshot",
    route: "/v1/admin/snapshot",
    summary:
      "One member's tree as a snapshot file (a backup), streamed; needs the admin scope, X-Auth-Digest with ALL on /, one per snapshotIntervalMs",
    query: { member: "member index" },
  },
  {
    method: "get",
    path: "/v1/admin/ensemble",
    route: "/v1/admin/ensemble",
    summary: "Every member's status",
  },
  { method: "get", path: "/metrics", route: "/metrics", summary: "Prometheus metrics" },
  { method: "get", path: "/v1/openapi.json", route: "/v1/openapi.json", summary: "This document" },
  { method: "get", path: "/v1/docs", route: "/v1/docs", summary: "This document as a page" },
];

const errorSchema = {
  type: "object",
  properties: {
    error: {
      type: "object",
      properties: {
        code: { type: "integer" },
        name: { type: "string" },
        path: { type: "string" },
        message: { type: "string" },
      },
      required: ["code", "name", "message"],
    },
  },
  required: ["error"],
};

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routeDocs) {
    const parameters = [
      ...(r.path.includes("{path}")
        ? [
            {
              name: "path",
              in: "path",
              required: true,
              schema: { type: "string" },
              description: "znode path without the leading /",
            },
          ]
        : []),
      ...(r.path.includes("{id}")
        ? [
            {
              name: "id",
              in: "path",
              required: true,
              schema: { type: "string" },
              description: "session id",
            },
          ]
        : []),
      ...Object.entries(r.query ?? {}).map(([name, description]) => ({
        name,
        in: "query",
        required: false,
        schema: { type: "string" },
        description,
      })),
    ];
    paths[r.path] ??= {};
    (paths[r.path] as Record<string, unknown>)[r.method] = {
      summary: r.summary,
      parameters,
      ...(r.body
        ? {
            requestBody: {
              content: {
                "application/json": {
                  schema: z.toJSONSchema(r.body, { io: "input", unrepresentable: "any" }),
                },
              },
            },
          }
        : {}),
      responses: {
        "200": { description: "success" },
        default: {
          description: "a ZooKeeper error",
          content: { "application/json": { schema: errorSchema } },
        },
      },
      security: [{ bearer: [] }],
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "edgekeeper",
      version,
      description: "A ZooKeeper-class coordination service on Cloudflare Workers",
    },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    paths,
  };
}

/** The reference page: every route with its parameters and body schema. */
export function referencePage(): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  const rows = routeDocs
    .map((r) => {
      const query = Object.entries(r.query ?? {})
        .map(([k, v]) => `<code>${esc(k)}</code> ${esc(v)}`)
        .join("<br>");
      const body = r.body
        ? `<pre>${esc(JSON.stringify(z.toJSONSchema(r.body, { io: "input", unrepresentable: "any" }), null, 2))}</pre>`
        : "";
      return `<tr><td><b>${r.method.toUpperCase()}</b> <code>${esc(r.path)}</code></td><td>${esc(r.summary)}<br>${query}${body}</td></tr>`;
    })
    .join("\n");
  return `<!doctype html><html><head><meta charset="utf-8"><title>edgekeeper API</title>
<style>body{font:14px system-ui;margin:2em}td{vertical-align:top;border-top:1px solid #ddd;padding:.5em}pre{background:#f6f6f6;padding:.5em;max-height:20em;overflow:auto}</style>
</head><body><h1>edgekeeper API ${esc(version)}</h1><p>Every route needs <code>Authorization: Bearer &lt;token&gt;</code>. Errors: <code>{"error":{"code","name","path","message"}}</code>. Machine-readable: <a href="openapi.json">openapi.json</a>.</p>
<table>${rows}</table></body></html>`;
}
