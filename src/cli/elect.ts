// `edgekeeper elect <path> <proposal>`: the shell user's leader election (etcdctl elect).
// Campaigns with the LeaderLatch recipe and prints each new leader's proposal, one per line,
// until interrupted — then resigns. With --listen it only prints.

import type { EdgeKeeperClient } from "../client/index.ts";
import { currentLeader, LeaderLatch } from "../client/recipes/index.ts";
import type { Io } from "./commands.ts";
import type { Target } from "./connection.ts";
import { exitCodes } from "./run.ts";

export async function elect(
  zk: () => Promise<EdgeKeeperClient>,
  path: string,
  proposal: string | null,
  target: Target,
  io: Io,
): Promise<number> {
  const client = await zk();
  const stream = client.watch(path);
  const stop = new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  let latch: LeaderLatch | null = null;
  let last: string | null = null;
  const report = async () => {
    const leader = await currentLeader(client, path).catch(() => null);
    if (leader === last) return;
    last = leader;
    if (target.json) io.out(JSON.stringify({ leader, self: latch?.hasLeadership === true }));
    else if (leader !== null) io.out(leader);
  };
  try {
    await stream.ready;
    if (proposal !== null) {
      latch = new LeaderLatch(client, path, proposal);
      const l = latch;
      l.onChange((leading) =>
        io.err(
          leading
            ? `elect: this proposal leads (fencing token ${l.fencingToken})`
            : "elect: this proposal no longer leads",
        ),
      );
      io.err(`elect: campaigning under ${path} as ${proposal}`);
      void l.start().catch((e: unknown) => io.err(`elect: ${e instanceof Error ? e.message : e}`));
    } else {
      io.err(`elect: watching the leaders under ${path}`);
    }
    await report();
    // Every change of the election's children may be a new leader.
    const watching = (async () => {
      for await (const _ of stream) await report();
    })();
    await Promise.race([stop, watching]);
    return exitCodes.ok;
  } finally {
    await latch?.close();
    await stream.close().catch(() => {});
  }
}
