// Runs the local ensemble exactly as `npm start` does (wrangler dev, its own port and state
// directory) for the benchmark and the end-to-end tests, and stops its whole process group.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RunningService {
  readonly url: string;
  /** The process group leader's pid (npm); wrangler and workerd run in its group. */
  readonly pid: number;
  stop(): Promise<void>;
}

const projectRoot = join(import.meta.dirname, "../..");

/** Runs `npm start` with its own port and state directory; resolves once it answers HTTP. */
export async function startService(
  options: {
    readyTimeoutMs?: number;
    members?: number;
    vars?: Record<string, string>;
    /** Restart a stopped service: its port and its state directory (kept when given). */
    port?: number;
    stateDir?: string;
    /** More environment for wrangler (e.g. WRANGLER_REGISTRY_PATH, to pair it with another). */
    env?: Record<string, string>;
  } = {},
): Promise<RunningService> {
  const port = options.port ?? (await freePort());
  const ownState = options.stateDir === undefined;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "edgekeeper-service-"));
  const size = options.members === undefined ? [] : ["--var", `ENSEMBLE_SIZE:${options.members}`];
  for (const [name, value] of Object.entries(options.vars ?? {}))
    size.push("--var", `${name}:${value}`);
  const args = ["start", "--", "--port", String(port), "--persist-to", stateDir, ...size];
  return startServing("npm", args, `http://127.0.0.1:${port}`, "/v1/znodes/", {
    readyTimeoutMs: options.readyTimeoutMs ?? 90_000,
    stateDir: ownState ? stateDir : undefined,
    ...(options.env ? { env: options.env } : {}),
  });
}

/** The environment `npm start` gives wrangler dev (package.json), for services started without it. */
export const runtimeEnv = {
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  X_LOCAL_OBSERVABILITY: process.env.X_LOCAL_OBSERVABILITY ?? "false",
};

/**
 * Puts a detached child's process group under the interrupt handler: Ctrl-C or SIGTERM of this
 * process ends the group too. Returns the function that takes it off again (once stopped).
 */
export function superviseGroup(child: ChildProcess): () => void {
  stopAllOnInterrupt();
  running.add(child);
  return () => running.delete(child);
}

/** Groups still running, stopped when this process is interrupted. */
const running = new Set<ChildProcess>();
let interruptHandled = false;

function stopAllOnInterrupt(): void {
  if (interruptHandled) return;
  interruptHandled = true;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void Promise.all([...running].map(killGroup)).finally(() => process.exit(130));
    });
  }
}

/**
 * Runs `command` in its own process group from the project root; resolves once `probePath`
 * answers HTTP. Its stop() ends the whole group (and removes `stateDir` when given).
 */
export async function startServing(
  command: string,
  args: readonly string[],
  url: string,
  probePath: string,
  options: {
    readyTimeoutMs: number;
    stateDir?: string | undefined;
    env?: Record<string, string>;
    cwd?: string;
  },
): Promise<RunningService> {
  stopAllOnInterrupt();
  const child = spawn(command, args, {
    cwd: options.cwd ?? projectRoot,
    detached: true, // its own process group, so stop() reaches wrangler and workerd too
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...runtimeEnv, CI: "true", NO_COLOR: "1", ...options.env },
  });
  running.add(child);
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const stop = async () => {
    await killGroup(child);
    running.delete(child);
    if (options.stateDir !== undefined) rmSync(options.stateDir, { recursive: true, force: true });
  };
  try {
    await waitUntilServing(`${url}${probePath}`, child, options.readyTimeoutMs);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- service output ---\n${output}`);
  }
  return { url, pid: child.pid ?? 0, stop };
}

async function waitUntilServing(probe: string, child: ChildProcess, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`service exited with code ${child.exitCode}`);
    try {
      await fetch(probe, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch {
      // Not listening yet: poll again shortly.
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`service did not answer on ${probe} within ${timeoutMs} ms`);
}

/**
 * Ends a detached child's whole process group: TERM, then KILL after 10 s. Resolves once no
 * process of the group is left — the leader (npm) exits before wrangler and workerd do.
 */
export async function killGroup(child: ChildProcess): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined || !groupAlive(pgid)) return;
  signalGroup(pgid, "SIGTERM");
  const killAt = performance.now() + 10_000;
  let killed = false;
  while (groupAlive(pgid)) {
    if (!killed && performance.now() > killAt) {
      signalGroup(pgid, "SIGKILL");
      killed = true;
    }
    // The group's exit is not an event this process can wait on: look again shortly.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Gone already.
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}
