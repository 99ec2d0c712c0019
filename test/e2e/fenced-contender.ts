// One contender of the pause test, as its own process: it takes a LeaderLatch (or a Mutex) and,
// while it holds it, writes to a fenced resource with its fencing token. When its session is
// lost it joins again with a new one. Every line it prints is a JSON record for the test.

import { EdgeKeeperClient, exponentialBackoff } from "../../src/client/index.ts";
import { LeaderLatch, Mutex } from "../../src/client/recipes/index.ts";

const [url, resource, id, kind] = process.argv.slice(2) as [string, string, string, string];
const log = (record: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ id, pid: process.pid, at: Date.now(), ...record })}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function write(token: number): Promise<void> {
  log({ write: token });
  try {
    await fetch(resource, { method: "POST", body: JSON.stringify({ id, token }) });
  } catch {
    // The resource is the test's; it may be gone at the end.
  }
}

for (;;) {
  let zk: EdgeKeeperClient;
  try {
    zk = await EdgeKeeperClient.connect({
      url,
      sessionTimeoutMs: 4_000,
      retryPolicy: exponentialBackoff({ baseMs: 100, maxMs: 500 }),
    });
  } catch (e) {
    log({ connectFailed: String(e) });
    await sleep(500);
    continue;
  }
  log({ session: zk.sessionId });
  const holder =
    kind === "mutex" ? new Mutex(zk, "/fenced-mutex") : new LeaderLatch(zk, "/fenced-latch", id);
  const token = () => holder.fencingToken;
  if (holder instanceof LeaderLatch) {
    holder.onChange((leading) => log({ leading }));
    void holder.start().catch((e: unknown) => log({ startFailed: String(e) }));
  } else {
    holder.onLost(() => log({ leading: false }));
    void holder
      .acquire()
      .then(() => log({ leading: true }))
      .catch((e: unknown) => log({ startFailed: String(e) }));
  }
  let last = Date.now();
  for (;;) {
    await sleep(20);
    const now = Date.now();
    // Far more than 20 ms passed: this process was paused. What does it believe right now?
    if (now - last > 1_000)
      log({ resumed: true, gapMs: now - last, hasLeadership: token() !== null });
    last = now;
    if (zk.state === "expired" || zk.state === "closed" || zk.state === "authFailed") break;
    const t = token();
    if (t !== null) await write(t);
  }
  log({ ended: zk.state });
}
