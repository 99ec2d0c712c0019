// Records a CPU profile of the local Worker (all members share its isolate) through the inspector
// workerd itself opens (not wrangler's proxy, which relays to several clients at once), and prints
// where the time went: self time by function and by source file. The port is workerd's
// `--inspector-addr`: `ss -ltnp | grep workerd`, the one whose /json lists `core:user:edgekeeper`
// (`--target core:user:edgekeeper-minimal` profiles the minimal shapes' Worker instead).
// Usage: node scripts/cpu-profile.ts --port P --seconds 10 [--out f.cpuprofile] [--top 40]
// or, to read a saved profile again: node scripts/cpu-profile.ts --in f.cpuprofile

import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "9229" },
    seconds: { type: "string", default: "10" },
    out: { type: "string" },
    top: { type: "string", default: "40" },
    in: { type: "string" },
    target: { type: "string", default: "core:user:edgekeeper" },
  },
});

const profile = values.in
  ? (JSON.parse(readFileSync(values.in, "utf8")) as Profile)
  : await recordWithRetries(Number(values.port), Number(values.seconds));
if (values.out) writeFileSync(values.out, JSON.stringify(profile));

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const totalUs = profile.endTime - profile.startTime;
// Inclusive time: a sample counts once for every distinct function on its stack.
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (frame: ProfileNode["callFrame"]) =>
  `${frame.functionName || "(anonymous)"} ${frame.url.split("/").slice(-2).join("/") || "(native)"}:${frame.lineNumber + 1}`;
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const frame = byId.get(at)?.callFrame;
    if (frame) seen.add(label(frame));
  }
  for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + us);
}
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
for (const [id, us] of selfUs) {
  const frame = byId.get(id)?.callFrame;
  if (!frame) continue;
  const file = frame.url.split("/").slice(-2).join("/") || "(native)";
  const fn = label(frame);
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  byFile.set(file, (byFile.get(file) ?? 0) + us);
}
const show = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top)))
    console.log(
      `${((100 * us) / totalUs).toFixed(1).padStart(6)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`,
    );
};
console.log(`profile: ${(totalUs / 1e6).toFixed(1)} s wall`);
show("self time by file", byFile);
show("self time by function", byFunction);
show("inclusive time by function", inclusive);

/** wrangler's own inspector client can take workerd's session from us: then start again. */
async function recordWithRetries(port: number, seconds: number): Promise<Profile> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await record(port, seconds);
    } catch (error) {
      if (attempt >= 5) throw error;
      console.error(`${(error as Error).message}; recording again`);
    }
  }
}

async function record(port: number, seconds: number): Promise<Profile> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as Array<{
    id: string;
    webSocketDebuggerUrl: string;
  }>;
  const target = targets.find((t) => t.id === values.target);
  if (!target) throw new Error(`no ${values.target} among ${targets.map((t) => t.id).join(", ")}`);
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  let nextId = 1;
  const pending = new Map<number, (result: unknown) => void>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  let closed: ((error: Error) => void) | null = null;
  const ended = new Promise<never>((_, reject) => {
    closed = reject;
  });
  ended.catch(() => {}); // our own close at the end is no failure

  socket.addEventListener("close", (event) =>
    closed?.(new Error(`inspector closed the connection (${event.code} ${event.reason})`)),
  );
  function call<T>(method: string, params: object = {}): Promise<T> {
    const id = nextId++;
    socket.send(JSON.stringify({ id, method, params }));
    const answer = new Promise<T>((resolve) => pending.set(id, resolve as (r: unknown) => void));
    return Promise.race([answer, ended]);
  }
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve);
    socket.addEventListener("error", reject);
  });
  // workerd echoes enable/start without a result (each resolves its call all the same); stop
  // answers with the profile. Without enable first, stop is only echoed.
  socket.send(JSON.stringify({ id: nextId++, method: "Profiler.enable" }));
  socket.send(
    JSON.stringify({
      id: nextId++,
      method: "Profiler.setSamplingInterval",
      params: { interval: 200 },
    }),
  );
  await call("Profiler.start");
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const { profile } = await call<{ profile: Profile }>("Profiler.stop");
  socket.close();
  return profile;
}
