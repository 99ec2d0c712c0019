// Admin commands in the manner of ZooKeeper's AdminServer (JSON): ruok, srvr/stat, mntr, cons and
// wchs, plus a Prometheus /metrics page (the ensemble view: ensemble-stream.ts). Behind the same
// bearer auth.

import { Hono } from "hono";
import type { MemberStatus } from "../../durable-objects/member-status.ts";
import { failure } from "../core/error-code.ts";
import { version } from "../version.ts";
import { bearerAuth } from "./bearer-auth.ts";
import { callerOf } from "./caller.ts";
import { gateMember, isMemberId, memberIds, memberIdsText } from "./member-ids.ts";
import { type AppEnv, type Ctx, fail, isFailure, stub } from "./respond.ts";

export { version };

export const adminRoutes = new Hono<AppEnv>();

const members = (c: Ctx) => memberIds(c.env);

/** ?member=i (default: the lowest voter), checked against the live membership. */
function memberOf(c: Ctx): number | null {
  const raw = c.req.query("member");
  const n = raw === undefined ? gateMember(c.env) : Number(raw);
  return isMemberId(c.env, n) ? n : null;
}

async function statusOf(c: Ctx): Promise<MemberStatus | Response> {
  const member = memberOf(c);
  if (member === null)
    return fail(c, failure("BADARGUMENTS", `member must be ${memberIdsText(c.env)}`));
  try {
    return await stub(c, member).status();
  } catch (error) {
    return fail(c, failure("CONNECTIONLOSS", `Member ${member} did not answer: ${String(error)}`));
  }
}

adminRoutes.get("/v1/admin/ruok", async (c) => {
  const s = await statusOf(c);
  if (s instanceof Response) return s;
  return c.json({ command: "ruok", member: s.id, answer: "imok", error: null });
});

const srvr = async (c: Ctx) => {
  const s = await statusOf(c);
  if (s instanceof Response) return s;
  return c.json({
    command: "srvr",
    version,
    member: s.id,
    server_state: s.role,
    leader: s.leader,
    term: s.term,
    zxid: s.appliedIndex,
    node_count: s.nodeCount,
    connections: s.connections,
    outstanding_requests: s.pipelined,
    error: null,
  });
};
adminRoutes.get("/v1/admin/srvr", srvr);
adminRoutes.get("/v1/admin/stat", srvr);

// A backup: one member's tree as a snapshot file, streamed (the member never holds it whole).
// Beyond the admin scope it needs ZooKeeper's check — authenticated, ALL on / — and it is
// rate-limited for the ensemble (member 0 keeps the gate), as each one copies the tree.
adminRoutes.get("/v1/admin/snapshot", async (c) => {
  const member = memberOf(c);
  if (member === null)
    return fail(c, failure("BADARGUMENTS", `member must be ${memberIdsText(c.env)}`));
  const caller = callerOf(c);
  if (isFailure(caller)) return fail(c, caller);
  try {
    const admitted = await stub(c, gateMember(c.env)).admitSnapshot(caller.authIds);
    if (!admitted.ok) return fail(c, admitted.failure);
    return await stub(c, member).fetch("https://member/v1/admin/snapshot");
  } catch (error) {
    return fail(c, failure("CONNECTIONLOSS", `Member ${member} did not answer: ${String(error)}`));
  }
});

adminRoutes.get("/v1/admin/mntr", async (c) => {
  const s = await statusOf(c);
  if (s instanceof Response) return s;
  return c.json({ command: "mntr", ...mntr(s), error: null });
});

/** One member's connections, or the failure to answer with. */
async function clientsOf(c: Ctx) {
  const member = memberOf(c);
  if (member === null)
    return fail(c, failure("BADARGUMENTS", `member must be ${memberIdsText(c.env)}`));
  try {
    return { member, clients: await stub(c, member).clients() };
  } catch (error) {
    return fail(c, failure("CONNECTIONLOSS", `Member ${member} did not answer: ${String(error)}`));
  }
}

adminRoutes.get("/v1/admin/cons", async (c) => {
  const found = await clientsOf(c);
  if (found instanceof Response) return found;
  return c.json({ command: "cons", member: found.member, connections: found.clients, error: null });
});

adminRoutes.get("/v1/admin/wchs", async (c) => {
  const found = await clientsOf(c);
  if (found instanceof Response) return found;
  const { member, clients } = found;
  const paths = new Set<string>();
  let total = 0;
  for (const client of clients) {
    for (const list of Object.values(client.watches)) {
      for (const p of list) paths.add(p);
      total += list.length;
    }
  }
  return c.json({
    command: "wchs",
    member,
    num_connections: clients.filter((x) => Object.values(x.watches).some((l) => l.length > 0))
      .length,
    num_paths: paths.size,
    num_total_watches: total,
    error: null,
  });
});

adminRoutes.use("/metrics", bearerAuth);
adminRoutes.get("/metrics", async (c) => {
  const lines: string[] = [];
  const gauge = (name: string, help: string, values: Array<[number, number]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [member, value] of values) lines.push(`${name}{member="${member}"} ${value}`);
  };
  const statuses = await Promise.all(
    members(c).map((i) =>
      stub(c, i)
        .status()
        .catch(() => null),
    ),
  );
  const up = statuses.map((s, i): [number, number] => [i, s ? 1 : 0]);
  const of = (f: (s: MemberStatus) => number) =>
    statuses.flatMap((s, i): Array<[number, number]> => (s ? [[i, f(s)]] : []));
  gauge("edgekeeper_member_up", "1 when the member answered", up);
  gauge(
    "edgekeeper_is_leader",
    "1 on the leader",
    of((s) => (s.role === "leader" ? 1 : 0)),
  );
  gauge(
    "edgekeeper_term",
    "Raft term",
    of((s) => s.term),
  );
  gauge(
    "edgekeeper_commit_index",
    "Highest committed zxid",
    of((s) => s.commitIndex),
  );
  gauge(
    "edgekeeper_applied_index",
    "Highest applied zxid",
    of((s) => s.appliedIndex),
  );
  gauge(
    "edgekeeper_znode_count",
    "Znodes in the tree",
    of((s) => s.nodeCount),
  );
  gauge(
    "edgekeeper_approximate_data_size",
    "Bytes of znode data",
    of((s) => s.dataBytes),
  );
  gauge(
    "edgekeeper_sessions",
    "Open sessions",
    of((s) => s.sessions),
  );
  gauge(
    "edgekeeper_connections",
    "Client WebSockets on the member",
    of((s) => s.connections),
  );
  gauge(
    "edgekeeper_watch_count",
    "Watches held by the member",
    of((s) => s.watches),
  );
  gauge(
    "edgekeeper_log_entries",
    "Raft log entries held",
    of((s) => s.logEntries),
  );
  gauge(
    "edgekeeper_pipelined_writes",
    "Writes proposed and not yet applied",
    of((s) => s.pipelined),
  );
  gauge(
    "edgekeeper_sqlite_transactions_total",
    "Readies written since start (those of one event share its SQLite transaction)",
    of((s) => s.counters.sqlTransactions),
  );
  gauge(
    "edgekeeper_peer_rpcs_total",
    "Inter-member RPCs sent since start",
    of((s) => s.counters.rpcBatches),
  );
  gauge(
    "edgekeeper_quiescent",
    "1 while the member's consensus sleeps (no ticks, no heartbeats)",
    of((s) => (s.quiescent ? 1 : 0)),
  );
  // What Cloudflare bills, per member since its storage was created (docs/cost.md).
  const counter = (name: string, help: string, rows: Array<[string, number]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
    for (const [labels, value] of rows) lines.push(`${name}{${labels}} ${value}`);
  };
  const perMember = (f: (s: MemberStatus) => number) =>
    of(f).map(([m, v]): [string, number] => [`member="${m}"`, v]);
  const byMethod = (f: (s: MemberStatus) => Record<string, number>) =>
    statuses.flatMap((s, i) =>
      s
        ? Object.entries(f(s)).map(([method, v]): [string, number] => [
            `member="${i}",method="${method}"`,
            v,
          ])
        : [],
    );
  counter(
    "edgekeeper_wakeups_total",
    "Object starts (first start or wake from eviction)",
    perMember((s) => s.costs.wakeups),
  );
  counter(
    "edgekeeper_alarms_fired_total",
    "Alarms that fired",
    perMember((s) => s.costs.alarmsFired),
  );
  counter(
    "edgekeeper_alarms_booked_total",
    "setAlarm() calls (a row written each)",
    perMember((s) => s.costs.alarmsBooked),
  );
  counter(
    "edgekeeper_rpc_sent_total",
    "Durable Object RPCs sent, by method",
    byMethod((s) => s.costs.rpcSent),
  );
  counter(
    "edgekeeper_rpc_received_total",
    "Durable Object RPCs received, by method",
    byMethod((s) => s.costs.rpcReceived),
  );
  counter(
    "edgekeeper_socket_messages_total",
    "WebSocket messages that reached the member (auto-answered pings never do)",
    perMember((s) => s.costs.socketMessages),
  );
  counter(
    "edgekeeper_sqlite_rows_written_total",
    "SQLite rows written",
    perMember((s) => s.costs.sqlRowsWritten),
  );
  return c.text(`${lines.join("\n")}\n`, 200, { "content-type": "text/plain; version=0.0.4" });
});

/** ZooKeeper's mntr keys, from one member's status. */
function mntr(s: MemberStatus): Record<string, number | string> {
  return {
    zk_version: version,
    zk_server_state: s.role,
    zk_znode_count: s.nodeCount,
    zk_watch_count: s.watches,
    zk_approximate_data_size: s.dataBytes,
    zk_num_alive_connections: s.connections,
    zk_outstanding_requests: s.pipelined,
    zk_last_zxid: s.appliedIndex,
    zk_global_sessions: s.sessions,
    edgekeeper_term: s.term,
    edgekeeper_commit_index: s.commitIndex,
    edgekeeper_log_entries: s.logEntries,
    edgekeeper_snapshot_index: s.snapshotIndex,
    edgekeeper_storage_bytes: s.storageBytes,
    edgekeeper_snapshot_sent_bytes: s.snapshotSent?.bytes ?? 0,
    edgekeeper_digest: s.digest,
  };
}
