// The interactive shell: zkCli's prompt, history kept across runs, and tab completion of
// commands and of znode paths (completed from the live tree).

import { appendFileSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { EdgeKeeperClient } from "../client/index.ts";
import { commands, type Io } from "./commands.ts";
import type { Target } from "./connection.ts";

/** Runs one line's words with the shell's session; resolves to its exit code. */
export type LineRunner = (words: string[], signal: AbortSignal) => Promise<number>;

const historyFile = () => process.env.EDGEKEEPER_HISTORY ?? join(homedir(), ".edgekeeper_history");

export async function shell(
  zk: () => Promise<EdgeKeeperClient>,
  target: Target,
  io: Io,
  runLine: LineRunner,
): Promise<number> {
  let history: string[] = [];
  try {
    history = readFileSync(historyFile(), "utf8")
      .split("\n")
      .filter(Boolean)
      .reverse()
      .slice(0, 500);
  } catch {
    // No history yet.
  }
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: process.stdin.isTTY === true,
    history,
    historySize: 500,
    prompt: `[edgekeeper: ${target.url}] `,
    completer: (line: string, done: (err: null, result: [string[], string]) => void) => {
      complete(zk, line).then(
        (r) => done(null, r),
        () => done(null, [[], line]),
      );
    },
  });
  io.out(`Connecting to ${target.url}. Type "help" for commands, "quit" to leave.`);
  rl.prompt();
  for await (const line of rl) {
    const trimmed = line.trim();
    if (trimmed === "quit" || trimmed === "exit") break;
    if (trimmed !== "") {
      try {
        appendFileSync(historyFile(), `${trimmed}\n`);
      } catch {
        // History is a convenience.
      }
      // Ctrl-C stops the running command (a watch) and returns to the prompt; the session stays.
      const interrupt = new AbortController();
      const onInterrupt = () => interrupt.abort();
      rl.on("SIGINT", onInterrupt);
      try {
        await runLine(splitWords(trimmed), interrupt.signal);
      } finally {
        rl.off("SIGINT", onInterrupt);
      }
    }
    rl.prompt();
  }
  rl.close();
  return 0;
}

/** Completes a command name, or the last word as a znode path from the live tree. */
async function complete(
  zk: () => Promise<EdgeKeeperClient>,
  line: string,
): Promise<[string[], string]> {
  const words = line.split(/\s+/);
  const last = words.at(-1) ?? "";
  if (words.length <= 1) {
    return [Object.keys(commands).filter((c) => c.startsWith(last)), last];
  }
  if (!last.startsWith("/")) return [[], last];
  const slash = last.lastIndexOf("/");
  const parent = slash <= 0 ? "/" : last.slice(0, slash);
  const stem = last.slice(slash + 1);
  const { children } = await (await zk()).getChildren(parent);
  const prefix = parent === "/" ? "/" : `${parent}/`;
  return [
    children
      .filter((c) => c.startsWith(stem))
      .sort()
      .map((c) => `${prefix}${c}`),
    last,
  ];
}

function splitWords(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3] ?? "");
  return out;
}
