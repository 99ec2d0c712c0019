// Runs one command and turns errors into messages and exit codes.

import type { EdgeKeeperClient } from "../client/index.ts";
import { KeeperError } from "../client/index.ts";
import { commands, type Io } from "./commands.ts";
import type { Target } from "./connection.ts";

/** Flags that take a value. */
export const valuedFlags: ReadonlySet<string> = new Set([
  "url",
  "token",
  "session-timeout",
  "v",
  "t",
  "listen",
]);

/**
 * Exit codes: 0 success, 1 a ZooKeeper error, 2 a usage error, 3 the service could not be
 * reached (or answered nothing in time), 4 the service refused the token.
 */
export const exitCodes = { ok: 0, keeper: 1, usage: 2, unreachable: 3, authFailed: 4 } as const;

export async function runCommand(
  name: string,
  zk: () => Promise<EdgeKeeperClient>,
  args: { words: string[]; flags: Map<string, string | true>; signal?: AbortSignal },
  target: Target,
  io: Io,
): Promise<number> {
  const command = commands[name];
  if (!command) {
    io.err(`Unknown command "${name}". Commands: ${Object.keys(commands).join(", ")}, shell`);
    return 2;
  }
  try {
    return await command.run(zk, args, target, io);
  } catch (e) {
    if (e instanceof KeeperError) {
      io.err(
        target.json
          ? JSON.stringify({
              error: { code: e.code, name: e.error, path: e.path, message: e.message },
            })
          : `Error: ${e.error} (${e.code})${e.path ? ` for ${e.path}` : ""}: ${e.message.replace(/^[A-Z]+ \(-?\d+\)( \S+)?: /, "")}`,
      );
      if (e.error === "AUTHFAILED") return exitCodes.authFailed;
      if (e.isConnectionLoss) return exitCodes.unreachable;
      return exitCodes.keeper;
    }
    io.err(`Error: ${e instanceof Error ? e.message : String(e)}`);
    return exitCodes.unreachable;
  }
}
