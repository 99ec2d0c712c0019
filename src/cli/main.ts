#!/usr/bin/env node
// The `edgekeeper` command: zkCli's commands against an edgekeeper ensemble, one-shot
// (`edgekeeper ls /`) or as an interactive shell (`edgekeeper` or `edgekeeper shell`), plus the
// bridge for ZooKeeper clients, `lock`, `elect` and `completion`. `edgekeeper help` lists them.

import type { Io } from "./commands.ts";
import { runCli } from "./program.ts";

const io: Io = {
  out: (text) => {
    if (text !== "") process.stdout.write(`${text}\n`);
  },
  err: (text) => process.stderr.write(`${text}\n`),
};

// Node 20 has no global WebSocket (22 has): the SDK and the bridge then use the `ws` package's.
if (typeof globalThis.WebSocket !== "function")
  globalThis.WebSocket = (await import("ws")).WebSocket as unknown as typeof WebSocket;

runCli(process.argv.slice(2), { io }).then(
  (code) => {
    process.exitCode = code;
    // Output to a pipe is written asynchronously: exit once it is flushed, not before.
    process.stdout.write("", () => process.exit(code));
  },
  (e: unknown) => {
    io.err(`Error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(3);
  },
);
