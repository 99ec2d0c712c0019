// `edgekeeper lock <path> -- <command…>`: the shell user's mutex (etcdctl lock, consul lock).
// Holds the Mutex recipe's lock while the command runs, passes the fencing token in its
// environment, releases when it exits, and stops it if the lock is lost underneath it.

import { spawn } from "node:child_process";
import { constants } from "node:os";
import type { EdgeKeeperClient } from "../client/index.ts";
import { Mutex } from "../client/recipes/index.ts";
import type { Io } from "./commands.ts";
import type { Target } from "./connection.ts";
import { exitCodes } from "./run.ts";

/** A command that could not be started at all (as a shell reports it). */
export const commandNotRunExitCode = 127;

export async function lock(
  zk: () => Promise<EdgeKeeperClient>,
  path: string,
  argv: readonly string[],
  target: Target,
  io: Io,
): Promise<number> {
  const client = await zk();
  const mutex = new Mutex(client, path);
  io.err(`lock: waiting for ${path}`);
  // Interrupted while waiting: close the session first, so this waiter's node goes at once
  // instead of holding up the queue until the session times out.
  const giveUp = () => void client.close().finally(() => process.exit(130));
  process.once("SIGINT", giveUp);
  process.once("SIGTERM", giveUp);
  try {
    await mutex.acquire();
  } finally {
    process.off("SIGINT", giveUp);
    process.off("SIGTERM", giveUp);
  }
  const token = mutex.fencingToken;
  io.err(`lock: holding ${path} (fencing token ${token}); running ${argv.join(" ")}`);
  if (target.json) io.out(JSON.stringify({ held: path, fencingToken: token }));
  let lost = false;
  try {
    return await new Promise<number>((resolve) => {
      const child = spawn(argv[0] as string, argv.slice(1), {
        stdio: "inherit",
        env: {
          ...process.env,
          EDGEKEEPER_LOCK_PATH: path,
          EDGEKEEPER_FENCING_TOKEN: String(token),
        },
      });
      // Interrupting the CLI interrupts the command; the lock is released once it has exited.
      const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
      const onInt = forward("SIGINT");
      const onTerm = forward("SIGTERM");
      process.on("SIGINT", onInt);
      process.on("SIGTERM", onTerm);
      const stopLost = mutex.onLost(() => {
        lost = true;
        io.err(`lock: lost ${path} (the connection could not be trusted); stopping the command`);
        child.kill("SIGTERM");
      });
      const finish = (code: number) => {
        process.off("SIGINT", onInt);
        process.off("SIGTERM", onTerm);
        stopLost();
        resolve(code);
      };
      child.once("error", (e) => {
        io.err(`lock: could not run ${argv[0]}: ${e.message}`);
        finish(commandNotRunExitCode);
      });
      child.once("exit", (code, signal) => {
        if (lost) finish(exitCodes.keeper);
        else finish(code ?? 128 + signalNumber(signal));
      });
    });
  } finally {
    await mutex.release().catch(() => {});
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return constants.signals[signal ?? "SIGTERM"] ?? 15;
}
