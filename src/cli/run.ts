// Runs one command and turns errors into messages and exit codes — the one place that decides
// them, for one-shot commands and the shell alike.

import type { EdgeKeeperClient } from "../client/index.ts";
import { KeeperError } from "../client/index.ts";
import { type Command, type Io, UsageError } from "./commands.ts";
import type { Target } from "./connection.ts";

/**
 * Exit codes: 0 success, 1 a ZooKeeper error, 2 a usage error, 3 the service could not be
 * reached (or answered nothing in time), 4 the service refused the token.
 */
export const exitCodes = { ok: 0, keeper: 1, usage: 2, unreachable: 3, authFailed: 4 } as const;

export async function runCommand(
  command: Command,
  usageLine: string,
  zk: () => Promise<EdgeKeeperClient>,
  args: { words: string[]; flags: Map<string, string | true>; signal?: AbortSignal },
  target: Target,
  io: Io,
): Promise<number> {
  try {
    return await command.run(zk, args, target, io);
  } catch (e) {
    return reportError(e, target, io, usageLine);
  }
}

/** Prints an error once — one JSON line with --json — and returns its exit code. */
export function reportError(e: unknown, target: Target, io: Io, usageLine?: string): number {
  if (e instanceof UsageError) {
    io.err(`error: ${e.message}${usageLine ? `\nusage: ${usageLine}` : ""}`);
    return exitCodes.usage;
  }
  if (e instanceof KeeperError) {
    io.err(
      target.json
        ? JSON.stringify({
            error: { code: e.code, name: e.error, path: e.path, message: e.detail },
          })
        : `Error: ${e.error} (${e.code})${e.path ? ` for ${e.path}` : ""}: ${e.detail}`,
    );
    if (e.error === "AUTHFAILED") return exitCodes.authFailed;
    if (e.isConnectionLoss) return exitCodes.unreachable;
    return exitCodes.keeper;
  }
  const message = e instanceof Error ? e.message : String(e);
  io.err(
    target.json ? JSON.stringify({ error: { name: "UNREACHABLE", message } }) : `Error: ${message}`,
  );
  return exitCodes.unreachable;
}
