// `npm run cost`: what an ensemble costs a month on Cloudflare.
//   npm run cost -- --sessions 10 --writes-per-sec 2    estimate from the measured figures
//   npm run cost -- --measure [--minutes 1] [--cases idle,writes]   measure them on a local
//                                                      ensemble it starts
//   npm run cost -- --measure --first-write-after 600 --samples 3   first write after idling
//   npm run cost -- --measure --silent-session         how long silent sessions outlive their timeout
// Measuring reads every member's cost counters (docs/cost.md) every few seconds: local workerd
// evicts an idle object after about 10 s, and counts not yet written with a transaction would be
// lost with it. The read-outs themselves are left out of the figures.

import { parseArgs } from "node:util";
import zookeeper from "node-zookeeper-client";
import { startBridge } from "../cli/bridge.ts";
import { EdgeKeeperClient } from "../client/index.ts";
import { add, estimate, monthly, none, type Work } from "./cost-model.ts";
import { freePort, type RunningService, startService } from "./local-service.ts";

interface MemberCosts {
  member: number;
  quiescent: boolean;
  alarmAtMs: number | null;
  costs: {
    wakeups: number;
    alarmsFired: number;
    alarmsBooked: number;
    rpcReceived: Record<string, number>;
    socketMessages: number;
    sqlRowsWritten: number;
  };
}

const { values } = parseArgs({
  options: {
    measure: { type: "boolean", default: false },
    cases: { type: "string", default: "idle,writes" },
    minutes: { type: "string", default: "1" },
    sessions: { type: "string", default: "10" },
    "writes-per-sec": { type: "string", default: "0" },
    "first-write-after": { type: "string" },
    "silent-session": { type: "boolean", default: false },
    samples: { type: "string", default: "3" },
  },
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const dollars = (d: number) => `$${d < 0.01 ? d.toFixed(4) : d.toFixed(2)}`;

if (!values.measure) {
  const sessions = Number(values.sessions);
  const writes = Number(values["writes-per-sec"]);
  const rows: Array<[string, number, number]> = [
    ["idle, no sessions", 0, 0],
    [`${sessions} idle sessions`, sessions, 0],
    [`${sessions} sessions, ${writes} writes/s`, sessions, writes],
  ];
  console.log("monthly estimate (3 members; Workers Paid marginal rates, docs/cost.md)");
  for (const [label, s, w] of rows) {
    const bill = estimate(s, w);
    console.log(
      `${label.padEnd(36)} ${dollars(bill.dollars).padStart(9)}  (${Math.round(bill.requests)} requests, ${Math.round(bill.rowsWritten)} rows written, ${bill.gbSeconds.toFixed(0)} GB-s)`,
    );
  }
} else {
  await measure();
}

async function measure(): Promise<void> {
  // Interrupted, startService stops the service's whole process group before exiting.
  const service = await startService();
  try {
    const minutes = Number(values.minutes);
    await warmUp(service);
    if (values["silent-session"]) {
      await silentSessions(service);
      return;
    }
    const firstWrite = values["first-write-after"];
    if (firstWrite !== undefined) {
      await firstWriteAfterIdle(service, Number(firstWrite) * 1_000, Number(values.samples));
      return;
    }
    const cases = new Set(values.cases.split(","));
    if (cases.has("idle")) {
      report("idle, no sessions", await idle(service, minutes), minutes);
      report("idle, 10 JSON sessions", await withJsonSessions(service, minutes), minutes);
      report(
        "idle, 10 ZooKeeper sessions (bridge)",
        await withZkSessions(service, minutes),
        minutes,
      );
    }
    if (cases.has("writes")) {
      await perWrite(service, "one writer", 1, 200);
      await perWrite(service, "32 writers", 32, 100);
    }
  } finally {
    await service.stop();
  }
}

async function ensemble(service: RunningService): Promise<MemberCosts[]> {
  const res = await fetch(`${service.url}/v1/admin/ensemble`, {
    signal: AbortSignal.timeout(30_000),
  });
  return ((await res.json()) as { members: MemberCosts[] }).members;
}

/** Sums the billed work between read-outs (status calls, the read-outs' own, left out). */
function workOf(before: MemberCosts[], after: MemberCosts[]): Work & { wakeups: number } {
  let work: Work = none;
  let wakeups = 0;
  after.forEach((a, i) => {
    const b = before[i] as MemberCosts;
    const rpcs = (m: MemberCosts) =>
      Object.entries(m.costs.rpcReceived).reduce((n, [k, v]) => (k === "status" ? n : n + v), 0);
    const alarms = a.costs.alarmsFired - b.costs.alarmsFired;
    const calls = rpcs(a) - rpcs(b);
    wakeups += a.costs.wakeups - b.costs.wakeups;
    work = add(work, {
      alarms,
      alarmsBooked: a.costs.alarmsBooked - b.costs.alarmsBooked,
      rpcs: calls,
      socketMessages: a.costs.socketMessages - b.costs.socketMessages,
      rowsWritten: a.costs.sqlRowsWritten - b.costs.sqlRowsWritten,
      wakes: alarms + calls,
    });
  });
  return { ...work, wakeups };
}

/** Watches for `minutes`, reading the counters every 5 s; returns the summed work. */
async function observe(service: RunningService, minutes: number): Promise<Work> {
  console.error(`observing for ${minutes} min…`);
  let total: Work = none;
  let last = await ensemble(service);
  const end = Date.now() + minutes * 60_000;
  let evictions = 0;
  while (Date.now() < end) {
    await pause(Math.min(5_000, end - Date.now()));
    const now = await ensemble(service);
    const work = workOf(last, now);
    evictions += work.wakeups;
    total = add(total, work);
    last = now;
  }
  if (evictions > 0) console.log(`  (${evictions} member restarts during the interval)`);
  return total;
}

/** Every member's consensus asleep; with `noAlarm`, no wake-up booked either. */
async function asleep(service: RunningService, noAlarm = false): Promise<void> {
  for (;;) {
    const view = await ensemble(service);
    if (view.every((m) => m.quiescent && (!noAlarm || m.alarmAtMs === null))) return;
    await pause(500);
  }
}

async function warmUp(service: RunningService): Promise<void> {
  console.error(`service at ${service.url}; warming up…`);
  const res = await fetch(`${service.url}/v1/znodes/cost`, { method: "POST", body: "x" });
  if (res.status !== 201) throw new Error(`warm-up write answered ${res.status}`);
  await asleep(service);
}

async function idle(service: RunningService, minutes: number): Promise<Work> {
  await asleep(service, true);
  return observe(service, minutes);
}

async function withJsonSessions(service: RunningService, minutes: number): Promise<Work> {
  const clients: EdgeKeeperClient[] = [];
  for (let i = 0; i < 10; i++) {
    clients.push(
      await EdgeKeeperClient.connect({
        url: service.url,
        members: 3,
        member: i % 3,
        sessionTimeoutMs: 30_000,
      }),
    );
  }
  try {
    await asleep(service);
    return await observe(service, minutes);
  } finally {
    for (const c of clients) await c.close();
  }
}

async function withZkSessions(service: RunningService, minutes: number): Promise<Work> {
  const port = await freePort();
  const bridge = await startBridge({ host: "127.0.0.1", port, url: service.url });
  const clients: Array<ReturnType<typeof zookeeper.createClient>> = [];
  try {
    for (let i = 0; i < 10; i++) {
      const client = zookeeper.createClient(`127.0.0.1:${port}`, { sessionTimeout: 30_000 });
      await new Promise<void>((resolve) => {
        client.once("connected", () => resolve());
        client.connect();
      });
      clients.push(client);
    }
    await asleep(service);
    return await observe(service, minutes);
  } finally {
    for (const c of clients) c.close();
    bridge.close();
  }
}

async function perWrite(
  service: RunningService,
  label: string,
  writers: number,
  each: number,
): Promise<void> {
  const clients: EdgeKeeperClient[] = [];
  for (let i = 0; i < writers; i++) {
    clients.push(await EdgeKeeperClient.connect({ url: service.url, members: 3, member: i % 3 }));
  }
  try {
    await asleep(service);
    const before = await ensemble(service);
    const started = performance.now();
    await Promise.all(
      clients.map(async (c, i) => {
        for (let k = 0; k < each; k++)
          await c.create(`/cost/${label.replace(/ /g, "-")}-${i}-${k}`, "v");
      }),
    );
    const seconds = (performance.now() - started) / 1_000;
    await asleep(service);
    const work = workOf(before, await ensemble(service));
    const writes = writers * each;
    const per = (n: number) => (n / writes).toFixed(2);
    console.log(
      `per write, ${label} (${writes} creates in ${seconds.toFixed(1)} s): ${per(work.rpcs)} RPCs received, ` +
        `${per(work.alarms)} alarms, ${per(work.alarmsBooked)} alarms booked, ${per(work.socketMessages)} socket messages, ` +
        `${per(work.rowsWritten)} rows written (all members, until asleep again)`,
    );
    console.log(`  JSON ${JSON.stringify({ case: `write, ${label}`, writes, ...work })}`);
  } finally {
    for (const c of clients) await c.close();
  }
}

function report(label: string, work: Work, minutes: number): void {
  const perMinute: Work = {
    alarms: work.alarms / minutes,
    alarmsBooked: work.alarmsBooked / minutes,
    rpcs: work.rpcs / minutes,
    socketMessages: work.socketMessages / minutes,
    rowsWritten: work.rowsWritten / minutes,
    wakes: work.wakes / minutes,
  };
  const bill = monthly(perMinute, 1);
  console.log(
    `${label}: per minute ${perMinute.alarms.toFixed(2)} alarms, ${perMinute.alarmsBooked.toFixed(2)} alarms booked, ` +
      `${perMinute.rpcs.toFixed(2)} RPCs, ${perMinute.socketMessages.toFixed(2)} socket messages, ` +
      `${perMinute.rowsWritten.toFixed(2)} rows written → ${dollars(bill.dollars)} a month`,
  );
  console.log(
    `  JSON ${JSON.stringify({ case: label, minutes, perMinute, monthlyDollars: bill.dollars })}`,
  );
}

/**
 * Two 30 s sessions, each owning an ephemeral: one client closes its socket, the other goes
 * silent with its socket open. Reports how long after its timeout each ephemeral disappeared.
 */
async function silentSessions(service: RunningService): Promise<void> {
  const timeoutMs = 30_000;
  const open = async (path: string) => {
    const ws = new WebSocket(`${service.url.replace(/^http/, "ws")}/v1/session?member=1`);
    const frames: Array<Record<string, unknown>> = [];
    ws.addEventListener("message", (e) => {
      frames.push(JSON.parse(String(e.data)));
    });
    await new Promise((resolve) => ws.addEventListener("open", resolve));
    ws.send(JSON.stringify({ op: "connect", timeoutMs }));
    ws.send(JSON.stringify({ id: 1, op: "create", path, mode: "ephemeral" }));
    while (!frames.some((f) => f.type === "reply" && f.id === 1)) await pause(50);
    return ws;
  };
  const closing = await open("/closed-socket");
  const silent = await open("/silent-socket");
  const lastHeard = Date.now();
  closing.close();
  const gone = new Map<string, number>();
  while (gone.size < 2 && Date.now() - lastHeard < timeoutMs + 180_000) {
    await pause(250);
    for (const path of ["/closed-socket", "/silent-socket"]) {
      if (gone.has(path)) continue;
      const res = await fetch(`${service.url}/v1/znodes${path}`);
      await res.body?.cancel();
      if (res.status === 404) gone.set(path, Date.now() - lastHeard - timeoutMs);
    }
  }
  silent.close();
  for (const [path, late] of gone) {
    console.log(`${path}: gone ${(late / 1_000).toFixed(1)} s after its 30 s timeout`);
  }
}

/** One client's write after the ensemble idled `idleMs` (members evicted meanwhile). */
async function firstWriteAfterIdle(
  service: RunningService,
  idleMs: number,
  samples: number,
): Promise<void> {
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    await asleep(service);
    await pause(idleMs);
    const started = performance.now();
    const res = await fetch(`${service.url}/v1/znodes/first-${i}`, { method: "POST", body: "x" });
    latencies.push(performance.now() - started);
    if (res.status !== 201) throw new Error(`write after idling answered ${res.status}`);
    console.log(
      `sample ${i + 1}: ${latencies.at(-1)?.toFixed(1)} ms after ${idleMs / 1_000} s idle`,
    );
  }
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)];
  console.log(
    `first write after ${idleMs / 1_000} s idle: p50 ${at(0.5)?.toFixed(1)} ms, p99 ${at(0.99)?.toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(1)} ms (n=${samples})`,
  );
}
