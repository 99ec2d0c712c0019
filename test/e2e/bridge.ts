// Runs `edgekeeper bridge` as a real process in front of a running service, for the tests that
// use unmodified ZooKeeper clients.

import { spawn } from "node:child_process";
import { join } from "node:path";
import { freePort } from "./service.ts";

const root = join(import.meta.dirname, "../..");

export interface RunningBridge {
  readonly port: number;
  stop(): void;
  /** Its exit code, once it has exited. */
  readonly exited: Promise<number | null>;
}

/** Starts the bridge on a free loopback port; resolves once it says it is listening. */
export async function startBridge(
  serviceUrl: string,
  extraArgs: readonly string[] = [],
): Promise<RunningBridge> {
  const port = await freePort();
  const child = spawn(
    join(root, "node_modules/.bin/node"),
    [
      join(root, "src/cli/main.ts"),
      "bridge",
      "--listen",
      `127.0.0.1:${port}`,
      "--url",
      serviceUrl,
      ...extraArgs,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the bridge did not start")), 20_000);
    child.stderr?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("listening")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`the bridge exited with ${code}`)));
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  return { port, stop: () => child.kill(), exited };
}
