// The ensemble member Durable Object: a thin shell that turns RPCs, peer messages and alarms into
// calls on its Replica, and is the only place that reads the clock or touches ctx and env.

import { DurableObject } from "cloudflare:workers";
import { type AccessConfig, requireAccessConfig } from "../src/access/access-config.ts";
import { snapshotRefusal, visibleEvents } from "../src/access/gatekeeper.ts";
import type { NodeId } from "../src/core/consensus/entry.ts";
import type { Membership, MembershipChange } from "../src/core/consensus/membership.ts";
import type { Message } from "../src/core/consensus/message.ts";
import { type EnsembleRecord, regionOf } from "../src/core/ensemble-record.ts";
import type { ZkFailure } from "../src/core/error-code.ts";
import { failure } from "../src/core/error-code.ts";
import { initialMembers, removedMemberMessage } from "../src/core/live-members.ts";
import { seededRng } from "../src/core/random.ts";
import { reaches } from "../src/core/session/watch-resume.ts";
import type { AuthId } from "../src/core/tree/acl.ts";
import type { WriteRequest } from "../src/core/tree/request.ts";
import type { TreeEvent } from "../src/core/tree/tree-event.ts";
import type { ReadOp, SessionSummary } from "../src/core/tree/tree-reads.ts";
import type { Env } from "../src/env.ts";
import { movedCloseCode } from "../src/protocol/close-codes.ts";
import { pingFrame, pongFrame } from "../src/protocol/keep-alive.ts";
import { AlarmBook } from "./alarm-book.ts";
import { ClientSockets } from "./client-sockets.ts";
import { CostCounters } from "./cost-counters.ts";
import { type EnsembleConfig, ensembleConfig, memberIndex } from "./ensemble-config.ts";
import { ensembleDeleted, noEnsemble, storedRecord, storeRecord } from "./ensemble-record-store.ts";
import { FaultSwitch, type LinkFaults } from "./fault-switch.ts";
import { ForwardBatches, type ForwardedWrite, lostAnswer } from "./forward-batches.ts";
import { hasLogEntries } from "./log-segments.ts";
import { LongPolls } from "./long-polls.ts";
import { type MemberStatus, statusOf } from "./member-status.ts";
import { PeerReplies } from "./peer-replies.ts";
import {
  notCaughtUp,
  type PeerLink,
  type ReconfigAnswer,
  Replica,
  type WriteAnswer,
  type WriteContext,
} from "./replica.ts";
import { isFenced, RestoreStage, type Staged, setFence } from "./restore.ts";
import { isRetired, markRetired } from "./retirement.ts";
import { createSchema } from "./schema.ts";
import type { SessionReport } from "./session-expiry.ts";
import type { SnapshotChunk } from "./snapshot-transfers.ts";
import { SqlRaftStorage } from "./sql-raft-storage.ts";
import type { ReadAnswer, TreeRead } from "./tree-read.ts";
import { earliest } from "./wait-list.ts";
import { within } from "./within.ts";
import { ZkSockets } from "./zk-sockets.ts";

/** Whether a member may be restored over (Member.restoreCheck). */
export type RestoreCheck =
  | { ok: true; term: number; empty: boolean; nodes: number; sessions: number }
  | { ok: false; failure: ZkFailure };

/** One staged piece of a backup (Member.restoreStage). */
export type RestoreStaged = { ok: true; staged: Staged | null } | { ok: false; message: string };

/** What a member answers while a restore from a backup has it fenced. */
export const restoring = "restoring from a backup";
/** Why a removed member's object ends, and what it answers from then on. */
export const retiredReason = removedMemberMessage;

/** Inter-member messages carry this; a member refuses a batch from another protocol version. */
export const peerProtocolVersion = 3;

/** A page of sessions for the admin's list, or why this member cannot serve it now. */
export type SessionsPage =
  | {
      readonly ok: true;
      readonly zxid: number;
      readonly sessions: SessionSummary[];
      readonly more: boolean;
    }
  | { readonly ok: false; readonly failure: ZkFailure };

export interface PeerBatch {
  readonly protocol: number;
  readonly from: NodeId;
  readonly messages: Message[];
  /** The sender takes the answers to `from` as the call's result (peer-replies.ts). */
  readonly replies?: boolean;
}

export class Member extends DurableObject<Env> {
  #config: EnsembleConfig;
  /** False for a member of an ensemble that was never created, or was deleted. */
  #configured: boolean;
  /** Its ensemble's record, as stored by configure(); null for the default ensemble. */
  #record: EnsembleRecord | null;
  #faults: FaultSwitch;
  #replica: Replica | null = null;
  #costs: CostCounters;
  readonly #alarm: AlarmBook;
  /** When consensus last ticked; 0 while it sleeps (the next tick after waking counts one). */
  #lastTickMs = 0;
  readonly #sockets: ClientSockets;
  readonly #zk: ZkSockets;
  readonly #polls: LongPolls;
  readonly #access: AccessConfig;
  /** When this member last heard from each peer (epoch ms): the dashboard's "last contact". */
  readonly #heardFromMs = new Map<NodeId, number>();
  readonly #replies = new PeerReplies();
  /** The follower side of forwarded writes (made with the peer link; null before it starts). */
  #forwards: ForwardBatches | null = null;
  /** A backup being staged for a restore (restore.ts), and whether a restore has fenced it. */
  #restore: RestoreStage | null = null;
  #fenced = false;
  /** Removed from the ensemble for good (retire): it never serves or runs consensus again. */
  #retired = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // A deployment without a strong SESSION_SECRET (auth on) must not serve: this throws.
    this.#access = requireAccessConfig(env);
    // Synchronous SQL in the constructor runs before any request is delivered. A member of the
    // default ensemble takes its shape from the variables; another from the record configure()
    // stored. Without either, the ensemble does not exist: the member makes no tables, so a
    // stray request to a deleted ensemble leaves no storage behind.
    this.#record = storedRecord(ctx.storage.sql);
    const name = ctx.id.name ?? "";
    this.#configured = this.#record !== null || name.startsWith(`${env.ENSEMBLE_NAME}/`);
    this.#config = ensembleConfig(env, this.#record ?? undefined);
    this.#polls = new LongPolls(this.#access.limits.maxLongPolls);
    if (this.#configured) createSchema(ctx.storage.sql);
    this.#fenced = this.#configured && isFenced(ctx.storage.sql);
    this.#retired = isRetired(ctx.storage.sql);
    this.#costs = new CostCounters(ctx.storage.sql, this.#configured);
    this.#alarm = new AlarmBook(ctx.storage, () => this.#costs.bump("alarmsBooked"));
    this.#faults = new FaultSwitch(ctx.storage.sql, this.#config.faultInjection);
    this.#sockets = new ClientSockets(ctx, this.#access, () => this.#started());
    this.#zk = new ZkSockets(ctx, this.#access, () => this.#started());
    // Keep-alive pings are answered by the runtime: an idle client never wakes this object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(pingFrame, pongFrame));
  }

  /** The WebSocket session protocol: the Worker forwards the upgrade here. */
  override async fetch(request: Request): Promise<Response> {
    this.#costs.received("fetch");
    if (request.method === "GET" && new URL(request.url).pathname === "/v1/admin/snapshot") {
      return this.#snapshotDownload();
    }
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    this.#faults.assertUp();
    await this.#started();
    if (new URL(request.url).pathname.endsWith("/v1/zk")) return this.#zk.accept(request);
    return this.#sockets.accept(request);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.#costs.bump("socketMessages");
    const sockets = this.#zk.owns(ws) ? this.#zk : this.#sockets;
    sockets.sessions.heard(ws, Date.now());
    await sockets.message(ws, message);
  }

  /** A client's socket closed: its session's deadline starts now (told to the leader). */
  override async webSocketClose(ws: WebSocket): Promise<void> {
    const sockets = this.#zk.owns(ws) ? this.#zk : this.#sockets.owns(ws) ? this.#sockets : null;
    const sessionId = sockets?.sessions.forget(ws);
    if (sessionId === undefined) return;
    const replica = await this.#started();
    replica.report([{ sessionId, kind: "detached", atMs: Date.now() }]);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.webSocketClose(ws);
  }

  /** This member's tree as one snapshot file (the Worker's /v1/admin/snapshot streams it). */
  async #snapshotDownload(): Promise<Response> {
    const replica = await this.#started();
    const { meta, body } = replica.snapshots.download();
    return new Response(body, {
      headers: {
        "content-type": "application/octet-stream",
        "content-disposition": `attachment; filename="edgekeeper-${this.#config.name}-${meta.index}.snapshot"`,
        "x-edgekeeper-member": String(replica.id),
        "x-edgekeeper-snapshot-index": String(meta.index),
        "x-edgekeeper-snapshot-term": String(meta.term),
      },
    });
  }

  /** Peer messages (Durable Object RPC from another member). */
  async deliver(batch: PeerBatch): Promise<Message[]> {
    this.#costs.received("deliver");
    if (batch.protocol !== peerProtocolVersion) {
      throw new Error(`peer protocol ${batch.protocol} is not ${peerProtocolVersion}`);
    }
    if (!this.#admits(batch.from)) return [];
    const replica = await this.#started();
    if (!batch.replies) {
      replica.receive(batch.messages);
      return [];
    }
    return this.#replies.collect(batch.from, () => replica.receive(batch.messages));
  }

  /** Whether peer messages from `from` get in now, by a call or as a call's result. */
  #admits(from: NodeId): boolean {
    if (!this.#faults.canReceive(from) || this.#fenced || this.#retired) return false;
    this.#heardFromMs.set(from, Date.now());
    return true;
  }

  /** A piece of the leader's snapshot; false tells the leader to stop this transfer. */
  async snapshotChunk(protocol: number, chunk: SnapshotChunk): Promise<boolean> {
    this.#costs.received("snapshotChunk");
    if (protocol !== peerProtocolVersion) {
      throw new Error(`peer protocol ${protocol} is not ${peerProtocolVersion}`);
    }
    if (!this.#faults.canReceive(chunk.from) || this.#fenced || this.#retired) return false;
    return (await this.#started()).receiveSnapshotChunk(chunk);
  }

  /** A client write; any member takes it and answers once it has applied it. */
  async submit(request: WriteRequest, context: WriteContext): Promise<WriteAnswer> {
    this.#costs.received("submit");
    return (await this.#started()).submit(request, context);
  }

  /**
   * Writes forwarded by a follower (forward-batches.ts): only the leader runs them, never
   * forwarding again; answered together once all are applied here, in order.
   */
  async forwarded(from: NodeId, writes: ForwardedWrite[]): Promise<WriteAnswer[]> {
    this.#costs.received("forwarded");
    if (!this.#faults.canReceive(from)) return writes.map(() => unreachable(from));
    this.#heardFromMs.set(from, Date.now());
    const replica = await this.#started();
    return Promise.all(replica.proposeAllHere(writes));
  }

  /** What a member saw of its clients' sessions, for the leader's expiry schedule. */
  async sessionReports(from: NodeId, reports: SessionReport[]): Promise<void> {
    this.#costs.received("sessionReports");
    if (!this.#faults.canReceive(from)) return;
    (await this.#started()).acceptReports(from, reports);
  }

  /** The leader asks, when a deadline is due: when did this member last hear these clients? */
  async presence(
    from: NodeId,
    sessionIds: bigint[],
  ): Promise<Array<{ sessionId: bigint; atMs: number }>> {
    this.#costs.received("presence");
    if (!this.#faults.canReceive(from)) throw new Error(`member ${from} is cut off`);
    return [...this.#localPresence(sessionIds)].map(([sessionId, atMs]) => ({ sessionId, atMs }));
  }

  /** An HTTP client's keep-alive for its session (session sockets ping instead). */
  async touchSessions(sessionIds: bigint[]): Promise<void> {
    this.#costs.received("touchSessions");
    const atMs = Date.now();
    (await this.#started()).report(
      sessionIds.map((sessionId) => ({ sessionId, kind: "alive", atMs })),
    );
  }

  #localPresence(sessionIds: bigint[]): Map<bigint, number> {
    const wanted = new Set(sessionIds);
    const heard = new Map<bigint, number>();
    this.#sockets.sessions.lastHeard(wanted, heard);
    this.#zk.sessions.lastHeard(wanted, heard);
    return heard;
  }

  /**
   * A read from this member's applied tree: sequentially consistent, or with `linearizable`
   * after a ReadIndex round so it reflects every write acknowledged before it was asked.
   */
  async read(
    read: TreeRead,
    authIds: AuthId[] = [],
    options: { linearizable?: boolean } = {},
  ): Promise<ReadAnswer> {
    this.#costs.received("read");
    this.#faults.assertUp();
    const replica = await this.#started();
    if (!(await replica.current())) {
      return { ok: false, zxid: replica.tree.lastZxid, failure: notCaughtUp() };
    }
    if (options.linearizable && !(await replica.syncPoint())) {
      return { ok: false, zxid: replica.tree.lastZxid, failure: noQuorum() };
    }
    return replica.read(read, authIds);
  }

  /** ZooKeeper's sync, made a real quorum operation: returns the zxid this member caught up to. */
  async sync(): Promise<{ ok: true; zxid: number } | { ok: false; failure: ZkFailure }> {
    this.#costs.received("sync");
    const replica = await this.#started();
    return (await replica.syncPoint())
      ? { ok: true, zxid: replica.tree.lastZxid }
      : { ok: false, failure: noQuorum() };
  }

  /** Several reads answered from the same applied state, or why the reply may not be built. */
  async multiRead(ops: ReadOp[], authIds: AuthId[] = []) {
    this.#costs.received("multiRead");
    const replica = await this.#serving();
    if (!replica) return notCaughtUp();
    return replica.multiRead(ops, authIds);
  }

  /**
   * Member 0 keeps the ensemble's snapshot gate: the caller must be authenticated with ALL on
   * `/`, and snapshots are at least snapshotIntervalMs apart (each one copies the tree).
   */
  async admitSnapshot(
    authIds: AuthId[],
  ): Promise<{ ok: true } | { ok: false; failure: ZkFailure }> {
    this.#costs.received("admitSnapshot");
    const replica = await this.#started();
    const refused = snapshotRefusal(replica.tree, authIds);
    if (refused) return { ok: false, failure: refused };
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    const interval = this.#access.limits.snapshotIntervalMs;
    const last =
      sql
        .exec<{ at_ms: number }>("SELECT at_ms FROM rate_limit WHERE name = 'snapshot'")
        .toArray()[0]?.at_ms ?? null;
    if (last !== null && now - last < interval) {
      const waitS = Math.ceil((interval - (now - last)) / 1000);
      return {
        ok: false,
        failure: failure(
          "THROTTLEDOP",
          `One snapshot per ${interval} ms (snapshotIntervalMs); the next in ${waitS} s`,
        ),
      };
    }
    sql.exec("INSERT OR REPLACE INTO rate_limit (name, at_ms) VALUES ('snapshot', ?)", now);
    return { ok: true };
  }

  async status(): Promise<MemberStatus> {
    this.#costs.received("status");
    this.#faults.assertUp();
    return statusOf(await this.#started(), {
      heardFromMs: Object.fromEntries(this.#heardFromMs),
      region: this.#region(),
      faults: this.#faults.faults,
      connections: this.#sockets.connectionCount + this.#zk.connectionCount,
      watches: this.#sockets.watches.watchCount + this.#zk.watches.watchCount,
      storageBytes: this.ctx.storage.sql.databaseSize,
      costs: this.#costs.settle(),
      alarmAtMs: this.#alarm.bookedAtMs,
      forwards: this.#forwards?.counts ?? { batches: 0, writes: 0 },
    });
  }

  /** How many client sockets this member holds: the router places new sessions by it. */
  async load(): Promise<number> {
    this.#costs.received("load");
    this.#faults.assertUp();
    if (this.#retired) throw new Error(`${retiredReason}: ${this.ctx.id.name}`);
    return this.#sockets.connectionCount + this.#zk.connectionCount;
  }

  /**
   * Moves `count` clients of the JSON session protocol elsewhere, for balance: chosen at random,
   * their sockets closed with code 4010. The SDK resumes its session at once through the router,
   * which places it on the least-loaded member. (The bridge's ZooKeeper clients are not moved:
   * their own server lists decide.) Answers how many.
   */
  async shed(count: number): Promise<number> {
    this.#costs.received("shed");
    this.#faults.assertUp();
    const sockets = this.#sockets.sockets();
    for (let i = sockets.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [sockets[i], sockets[j]] = [sockets[j] as WebSocket, sockets[i] as WebSocket];
    }
    const chosen = sockets.slice(0, Math.max(0, count));
    for (const ws of chosen) {
      try {
        ws.close(movedCloseCode, "moved to balance the members' load; reconnect");
      } catch {
        // Closed meanwhile.
      }
    }
    return chosen.length;
  }

  /** Connected clients and their watches (admin: cons, wchs). */
  async clients() {
    this.#costs.received("clients");
    this.#faults.assertUp();
    await this.#started();
    return [...this.#sockets.sessions.view(), ...this.#zk.sessions.view()];
  }

  /**
   * A page of the ensemble's sessions as this member's applied tree holds them (ordered by id),
   * each with its ephemeral nodes (the first `ephemeralsShown`) — the dashboard's session list.
   */
  async sessionsPage(after: bigint | null, limit: number): Promise<SessionsPage> {
    this.#costs.received("sessionsPage");
    this.#faults.assertUp();
    const replica = await this.#serving();
    if (!replica) return { ok: false, failure: notCaughtUp() };
    return { ok: true, zxid: replica.tree.lastZxid, ...replica.sessionsPage(after, limit) };
  }

  /** Wakes for whatever is due: consensus ticks while awake, request and session deadlines. */
  override async alarm(): Promise<void> {
    this.#costs.bump("alarmsFired");
    this.#alarm.fired();
    const now = Date.now();
    try {
      const replica = await this.#started();
      if (replica.awake) {
        const elapsed =
          this.#lastTickMs === 0 ? 1 : Math.floor((now - this.#lastTickMs) / this.#config.tickMs);
        // A late alarm catches up a little, never a burst that would fire every timeout at once.
        this.#lastTickMs = now;
        replica.tick(Math.max(1, Math.min(elapsed, 5)));
      }
      this.#polls.sweep(now);
      await replica.runDue(now);
    } finally {
      this.#schedule();
    }
  }

  /**
   * Books the next wake-up: the next consensus tick while it is awake, else the earliest request,
   * long-poll, session or reaping deadline — and nothing at all when nothing is due.
   */
  #schedule(): void {
    const replica = this.#replica;
    if (!replica) return;
    const now = Date.now();
    let tickAt: number | null = null;
    if (replica.awake) {
      if (this.#lastTickMs === 0) this.#lastTickMs = now;
      tickAt = this.#lastTickMs + this.#config.tickMs;
    } else {
      this.#lastTickMs = 0;
    }
    const next = earliest(tickAt, replica.nextDeadlineMs(), this.#polls.nextDeadlineMs());
    this.#alarm.bookBy(next);
  }

  /**
   * A long-poll watch: changes at `path` (or below, with `recursive`) after zxid `since`. Answers
   * at once when the change log has some, else waits up to `waitMs` for the next one.
   */
  async changes(
    path: string,
    recursive: boolean,
    since: number,
    waitMs: number,
    authIds: AuthId[] = [],
  ): Promise<{ ok: true; zxid: number; events: TreeEvent[] } | { ok: false; failure: ZkFailure }> {
    this.#costs.received("changes");
    const replica = await this.#serving();
    if (!replica) return { ok: false, failure: notCaughtUp() };
    const tree = replica.tree;
    if (since > tree.lastZxid) {
      return {
        ok: false,
        failure: {
          name: "BADARGUMENTS",
          message: `since ${since} is ahead of this member (${tree.lastZxid})`,
        },
      };
    }
    const past = tree.changesBetween(since, tree.lastZxid);
    if ("name" in past) return { ok: false, failure: past };
    // Only what the caller may READ: a node's ACL now, or the one it had when deleted.
    const missed = visibleEvents(
      tree,
      authIds,
      past.filter((e) => reaches(path, recursive, e)),
    );
    if (missed.length > 0 || waitMs <= 0) return { ok: true, zxid: tree.lastZxid, events: missed };
    const polled = this.#polls.wait(path, recursive, authIds, Date.now() + waitMs);
    if ("name" in polled) return { ok: false, failure: polled };
    this.#schedule();
    const events = await polled;
    return { ok: true, zxid: tree.lastZxid, events };
  }

  // ---- restore from a backup (restore.ts; the router's restore-route.ts runs the steps) -------

  /**
   * Whether this member's ensemble may be restored over: its term, and whether its tree holds
   * anything beyond the system nodes (a session, a node outside /zookeeper). The caller must
   * have ALL on `/`, as for a backup.
   */
  async restoreCheck(authIds: AuthId[]): Promise<RestoreCheck> {
    this.#costs.received("restoreCheck");
    const sql = this.ctx.storage.sql;
    if (this.#fenced) {
      // A restore that stopped midway (its check passed then): it is carried on, in a term
      // above the one it already reached.
      const term = new SqlRaftStorage(sql).load().term;
      return { ok: true, term, empty: true, nodes: 0, sessions: 0 };
    }
    const replica = await this.#started();
    const refused = snapshotRefusal(replica.tree, authIds);
    if (refused) return { ok: false, failure: refused };
    const top = replica.tree.store.childNames("/", undefined, 2);
    const sessions = replica.sessionCount;
    const nodes = replica.tree.meta().nodeCount;
    const empty = sessions === 0 && top.every((name) => name === "zookeeper");
    return { ok: true, term: replica.consensusStatus().term, empty, nodes, sessions };
  }

  /** One piece of the backup, staged (not yet in force); the last one answers what was staged. */
  async restoreStage(
    transfer: string,
    seq: number,
    data: Uint8Array,
    last: boolean,
  ): Promise<RestoreStaged> {
    this.#costs.received("restoreStage");
    this.#restore ??= new RestoreStage(this.ctx.storage.sql);
    const stage = this.#restore;
    try {
      const staged = this.ctx.storage.transactionSync(() => stage.push(transfer, seq, data, last));
      return { ok: true, staged };
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Drops a staged backup (a restore given up before any member was fenced). */
  async restoreAbort(): Promise<void> {
    this.#costs.received("restoreAbort");
    this.#restore?.abort();
  }

  /**
   * Stops serving and running consensus until restoreFinish (it stays so through eviction): its
   * clients are told to reconnect (4009), peers' messages are dropped.
   */
  async restoreFence(): Promise<void> {
    this.#costs.received("restoreFence");
    setFence(this.ctx.storage.sql, true);
    this.#fenced = true;
    await this.#stopServing(4009, "the ensemble is being restored from a backup; reconnect");
    // Once this answer is on its way the object ends: no timer of the old replica may write
    // after the reset. The next call starts a fresh one, fenced by the stored marker.
    setTimeout(() => this.ctx.abort(restoring), 0);
  }

  /**
   * Fenced: the staged backup becomes this member's tree, its log a snapshot of it in `term`
   * with the ensemble's live membership (the members the router restores).
   */
  async restoreApply(
    term: number,
    members?: Membership,
  ): Promise<{ index: number; digest: string }> {
    this.#costs.received("restoreApply");
    this.#restore ??= new RestoreStage(this.ctx.storage.sql);
    const stage = this.#restore;
    if (!this.#fenced || stage.stagedMeta() === null)
      throw new Error("restoreApply needs a fenced member with a staged backup");
    const initial = { voters: initialMembers(this.#config.size).voters, learners: [] };
    const meta = this.ctx.storage.transactionSync(() =>
      stage.apply(new SqlRaftStorage(this.ctx.storage.sql), term, members ?? initial),
    );
    return { index: meta.lastZxid, digest: meta.digest.toString(16) };
  }

  /** Ends the fence: the member starts from what it now stores. */
  async restoreFinish(): Promise<void> {
    this.#costs.received("restoreFinish");
    setFence(this.ctx.storage.sql, false);
    this.#fenced = false;
    this.#heardFromMs.clear();
    this.#lastTickMs = 0;
    await this.#started();
  }

  /**
   * One membership change, proposed if this member leads (otherwise refused with the leader it
   * knows); answers once applied here, or "timeout" after REQUEST_TIMEOUT_MS (the outcome is then
   * unknown: read the membership).
   */
  async reconfigure(change: MembershipChange): Promise<ReconfigAnswer> {
    this.#costs.received("reconfigure");
    this.#faults.assertUp();
    const replica = await this.#started();
    const ms = this.#config.requestTimeoutMs;
    return within<ReconfigAnswer>(Promise.resolve(replica.reconfigure(change)), ms, () => ({
      ok: false,
      reason: "timeout",
      leader: replica.consensusStatus().leader,
      message: `not applied within ${ms} ms; read the membership`,
    }));
  }

  /** The leader hands leadership to voter `to` (before it is removed); false if it cannot. */
  async transferLeadership(to: number): Promise<boolean> {
    this.#costs.received("transferLeadership");
    this.#faults.assertUp();
    return (await this.#started()).transferLeadership(to);
  }

  /**
   * After its removal is committed: closes its clients' sockets (4010: they resume elsewhere),
   * deletes its storage but a marker, and ends; from then on it refuses everything, so a router
   * that still lists it sends nobody to a stale copy of the tree.
   */
  async retire(): Promise<void> {
    this.#costs.received("retire");
    this.#retired = true;
    await this.#stopServing(movedCloseCode, "this member was removed from the ensemble; reconnect");
    await this.ctx.storage.deleteAll();
    markRetired(this.ctx.storage.sql);
    setTimeout(() => this.ctx.abort(retiredReason), 0);
  }

  /** Test-only: cut links (FAULT_INJECTION=on). */
  async setFaults(faults: LinkFaults): Promise<void> {
    this.#faults.set(faults);
  }

  /**
   * Test-only: crashes now, losing everything in memory (in-flight requests included) and
   * keeping storage — for when evictDurableObject refuses because requests are in flight.
   */
  async crash(): Promise<void> {
    if (!this.#faults.enabled) throw new Error("fault injection is disabled in this deployment");
    this.ctx.abort("crash injected by a test");
    throw new Error("unreachable: abort() did not end the object");
  }

  /** Test-only: loses all storage, as if the member's disk were replaced, and restarts empty. */
  async wipe(): Promise<void> {
    if (!this.#faults.enabled) throw new Error("fault injection is disabled in this deployment");
    await this.ctx.storage.deleteAll();
    // The disk is replaced, not the member's place in its ensemble.
    if (this.#record !== null) storeRecord(this.ctx.storage.sql, this.#record);
    createSchema(this.ctx.storage.sql);
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS test_wiped (id INTEGER PRIMARY KEY)");
    this.ctx.storage.sql.exec("INSERT OR IGNORE INTO test_wiped (id) VALUES (1)");
    this.#faults = new FaultSwitch(this.ctx.storage.sql, true);
    this.#costs = new CostCounters(this.ctx.storage.sql, true);
    this.#replica = null;
    this.#lastTickMs = 0;
    await this.#started();
  }

  /**
   * Makes this object member `index` of a created ensemble (the /v1/ensembles route calls it on
   * every member): stores the record, creates the schema and starts. Repeating it is harmless;
   * a different record for a configured member is refused.
   */
  async configure(record: EnsembleRecord): Promise<void> {
    this.#costs.received("configure");
    const stored = this.#record;
    if (stored !== null && (stored.name !== record.name || stored.size !== record.size))
      throw new Error(`member of ${stored.name} (${stored.size}) cannot become ${record.name}`);
    if (!this.ctx.id.name?.startsWith(`${record.name}/`))
      throw new Error(`"${this.ctx.id.name}" is not a member of ${record.name}`);
    storeRecord(this.ctx.storage.sql, record);
    createSchema(this.ctx.storage.sql);
    this.#record = record;
    this.#config = ensembleConfig(this.env, record);
    this.#configured = true;
    await this.#started();
  }

  /**
   * Deletes everything this member stores, for a deleted ensemble: its sockets are closed (4008)
   * and its alarm cancelled, and the object ends so nothing in memory writes again. Answers the
   * bytes its database holds once emptied.
   */
  async destroy(): Promise<number> {
    this.#costs.received("destroy");
    this.#configured = false;
    await this.#stopServing(4008, "ensemble deleted");
    await this.ctx.storage.deleteAll();
    const left = this.ctx.storage.sql.databaseSize;
    // After this answer is on its way: timers of the old replica must not outlive the delete.
    setTimeout(() => this.ctx.abort(ensembleDeleted), 0);
    return left;
  }

  /** Drops the replica, closes every client socket with `code` and cancels the alarm. */
  async #stopServing(code: number, reason: string): Promise<void> {
    this.#replica = null;
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.close(code, reason);
      } catch {
        // Closing already.
      }
    }
    await this.ctx.storage.deleteAlarm();
  }

  /** The location hint this member was created with, from its ensemble's record. */
  #region(): string | null {
    const record = this.#record;
    const index = memberIndex(this.#config, this.ctx.id.name);
    return record === null || index === null ? null : (regionOf(record, index) ?? null);
  }

  /** The replica once it may serve clients (Replica.current); null when no leader answered. */
  async #serving(): Promise<Replica | null> {
    const replica = await this.#started();
    return (await replica.current()) ? replica : null;
  }

  async #started(): Promise<Replica> {
    if (this.#replica) return this.#replica;
    if (this.#retired) throw new Error(`${retiredReason}: ${this.ctx.id.name}`);
    if (!this.#configured) throw new Error(`${noEnsemble}: ${this.ctx.id.name}`);
    if (this.#fenced) throw new Error(`${restoring}: ${this.ctx.id.name}`);
    const id = memberIndex(this.#config, this.ctx.id.name);
    if (id === null)
      throw new Error(`"${this.ctx.id.name}" is not a member of ensemble "${this.#config.name}"`);
    const replica = new Replica(
      this.ctx,
      this.#costs.counting(),
      id,
      this.#config,
      this.#peerLink(id),
      {
        amnesiac: this.#wasWiped(),
        random: seededRng(crypto.getRandomValues(new Uint32Array(1))[0] ?? 1),
        observer: ({ events, closedSessions }) => {
          const tree = this.#replica?.tree;
          if (!tree) return;
          this.#sockets.onApplied(tree, events, closedSessions);
          this.#zk.onApplied(tree, events, closedSessions);
          this.#polls.onApplied(tree, events);
        },
        now: () => Date.now(),
        costs: this.#costs,
        wantsWake: () => this.#schedule(),
        localPresence: (ids) => this.#localPresence(ids),
      },
    );
    this.#replica = replica;
    // What the runtime has booked survives eviction; a crash can leave a late one (retry backoff).
    await this.#alarm.load();
    replica.drain();
    this.#schedule();
    return replica;
  }

  /** A member restarted on wiped storage may have voted in terms it no longer remembers. */
  #wasWiped(): boolean {
    const sql = this.ctx.storage.sql;
    const marked =
      sql
        .exec<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE name = 'test_wiped'")
        .one().n > 0;
    const empty = !hasLogEntries(sql);
    const fresh =
      sql.exec<{ n: number }>("SELECT count(*) AS n FROM raft_state WHERE term > 0").one().n === 0;
    return marked && empty && fresh;
  }

  #peerLink(self: NodeId): PeerLink {
    const stub = (to: NodeId) => this.env.MEMBER.getByName(`${this.#config.name}/${to}`);
    const faults = () => this.#faults;
    const costs = this.#costs;
    const forwards = new ForwardBatches(async (to, writes) => {
      if (!faults().canSend(to)) return writes.map(() => unreachable(to));
      costs.sent("forwarded");
      try {
        return await stub(to).forwarded(self, writes);
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        return writes.map(() => lostAnswer(to, why));
      }
    });
    this.#forwards = forwards;
    return {
      send: (to, messages) => {
        if (!faults().canSend(to)) return;
        if (this.#replies.take(to, messages)) return;
        costs.sent("deliver");
        stub(to)
          .deliver({ protocol: peerProtocolVersion, from: self, messages, replies: true })
          .then(
            (replies) => {
              // An older member answers nothing here; its replies come as calls of their own.
              const replica = this.#replica;
              if (replica && Array.isArray(replies) && replies.length > 0 && this.#admits(to))
                replica.receive(replies);
            },
            () => {
              // A lost message is normal: Raft retries; the member never waits on a peer.
            },
          );
      },
      forward: (to, request, context) => forwards.forward(to, request, context),
      report: (to, reports) => {
        if (!faults().canSend(to)) return;
        costs.sent("sessionReports");
        stub(to)
          .sessionReports(self, reports)
          .catch(() => {
            // The leader asks when the session's deadline comes due anyway.
          });
      },
      presence: async (member, ids) => {
        if (!faults().canSend(member)) throw new Error(`member ${member} is cut off`);
        costs.sent("presence");
        // A member that does not answer in time vouches for nobody.
        const heard = await within(
          Promise.resolve(stub(member).presence(self, ids)),
          this.#config.requestTimeoutMs,
          () => {
            throw new Error(`member ${member} did not answer`);
          },
        );
        return new Map(heard.map((h): [bigint, number] => [h.sessionId, h.atMs]));
      },
      sendSnapshotChunk: async (chunk) => {
        if (!faults().canSend(chunk.to)) return false;
        costs.sent("snapshotChunk");
        return stub(chunk.to).snapshotChunk(peerProtocolVersion, chunk);
      },
    };
  }
}

function noQuorum(): ZkFailure {
  return { name: "CONNECTIONLOSS", message: "No quorum confirmed a read point in time; retry" };
}

function unreachable(member: NodeId): WriteAnswer {
  return {
    ok: false,
    failure: { name: "CONNECTIONLOSS", message: `Member ${member} is unreachable; not applied` },
    retryable: true,
    unreachable: true,
  };
}
