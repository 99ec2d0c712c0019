// Runs one command and turns errors into messages and exit codes.

import type { EdgeKeeperClient } from "../client/index.ts";
import { KeeperError } from "../client/index.ts";
import { commands, type Io } from "./commands.ts";
import type { Target } from "./connection.ts";

/** Flags that take a value. */
export const valuedFlags: ReadonlySet<string> = new Set(["url", "token", "v", "t", "listen"]);

export async function runCommand(
  name: string,
  zk: () => Promise<EdgeKeeperClient>,
  args: { words: string[]; flags: Map<string, string | true> },
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
      return 1;
    }
    io.err(`Error: ${e instanceof Error ? e.message : String(e)}`);
    return 3;
  }
}
