#!/usr/bin/env node
// The `edgekeeper` command: zkCli's commands against an edgekeeper ensemble, one-shot
// (`edgekeeper ls /`) or as an interactive shell (`edgekeeper` or `edgekeeper shell`).

import { benchValuedFlags, runBench } from "../bench/main.ts";
import { EdgeKeeperClient } from "../client/index.ts";
import { startBridge } from "./bridge.ts";
import type { Io } from "./commands.ts";
import { parseArgs, targetFrom } from "./connection.ts";
import { runCommand, valuedFlags } from "./run.ts";
import { shell } from "./shell.ts";

const io: Io = {
  out: (text) => {
    if (text !== "") process.stdout.write(`${text}\n`);
  },
  err: (text) => process.stderr.write(`${text}\n`),
};

async function main(argv: string[]): Promise<number> {
  const { words, flags } = parseArgs(argv, new Set([...valuedFlags, ...benchValuedFlags]));
  const target = targetFrom(flags);
  let client: EdgeKeeperClient | null = null;
  const zk = async () => {
    client ??= await EdgeKeeperClient.connect({
      url: target.url,
      ...(target.token === undefined ? {} : { token: target.token }),
      ...(target.sessionTimeoutMs === undefined
        ? {}
        : { sessionTimeoutMs: target.sessionTimeoutMs }),
    });
    return client;
  };
  const name = words[0] ?? "shell";
  if (name === "bench") {
    return runBench(flags, io);
  }
  if (name === "bridge") {
    const listen = (
      typeof flags.get("listen") === "string" ? (flags.get("listen") as string) : "127.0.0.1:2181"
    ).split(":");
    await startBridge({
      host: listen[0] || "127.0.0.1",
      port: Number(listen[1] ?? 2181),
      url: target.url,
      token: target.token,
      log: (line) => io.err(line),
    });
    return new Promise<number>(() => {});
  }
  try {
    if (name === "shell") return await shell(zk, target, io);
    return await runCommand(name, zk, { words: words.slice(1), flags }, target, io);
  } finally {
    const open = client as EdgeKeeperClient | null;
    if (open) await open.close().catch(() => {});
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    io.err(`Error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(3);
  },
);
