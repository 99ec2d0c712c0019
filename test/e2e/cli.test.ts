// The `edgekeeper` CLI as a real process against the running service: one-shot commands with
// their output and exit codes, --json, and the interactive shell driven through a
// pseudo-terminal (util-linux `script`), with tab completion of live znode paths and history.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningService, startService } from "./service.ts";

const root = join(import.meta.dirname, "../..");
const node = join(root, "node_modules/.bin/node");
const cli = join(root, "src/cli/main.ts");
let service: RunningService;
/** ANSI cursor and erase sequences (ESC [ … letter). */
const terminalEscape = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, "g");
const historyFile = join(mkdtempSync(join(tmpdir(), "edgekeeper-cli-")), "history");

beforeAll(async () => {
  service = await startService();
});

afterAll(async () => {
  await service?.stop();
});

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      node,
      [cli, ...args],
      { env: { ...process.env, EDGEKEEPER_URL: service.url } },
      (error, stdout, stderr) => {
        resolve({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
        });
      },
    );
  });
}

describe("edgekeeper CLI", () => {
  it("runs zkCli's commands with clear output and exit codes", async () => {
    expect(await run("create", "/cli", "hello")).toMatchObject({
      code: 0,
      stdout: "Created /cli\n",
    });
    expect(await run("create", "-s", "/cli/n-", "x")).toMatchObject({
      code: 0,
      stdout: "Created /cli/n-0000000000\n",
    });
    expect(await run("create", "-e", "/cli/gone")).toMatchObject({ code: 0 });
    const get = await run("get", "-s", "/cli");
    expect(get.stdout).toContain("hello\ncZxid = 0x");
    expect(get.stdout).toContain("numChildren = 1");
    expect(await run("set", "-v", "0", "/cli", "world")).toMatchObject({
      code: 0,
      stdout: "dataVersion = 1\n",
    });
    const stale = await run("set", "-v", "0", "/cli", "again");
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain("BADVERSION (-103) for /cli");
    expect((await run("ls", "-R", "/cli")).stdout).toBe("/cli\n/cli/n-0000000000\n");
    const json = await run("--json", "ls", "/cli");
    expect(JSON.parse(json.stdout)).toMatchObject({
      children: ["n-0000000000"],
      stat: { numChildren: 1 },
    });
    expect((await run("get", "/missing")).code).toBe(1);
    expect((await run("frobnicate")).code).toBe(2);
    expect((await run("get")).code).toBe(2);
    expect((await run("ruok")).stdout).toBe("imok\n");
    expect((await run("tree", "/cli")).stdout).toBe("/cli\n  n-0000000000\n");
    for (let i = 0; i < 25; i++) await run("create", `/cli/bulk-${i}`);
    const all = await run("deleteall", "/cli");
    expect(all).toMatchObject({ code: 0, stdout: "Deleted 27 nodes\n" });
    expect(all.stderr).toContain("deleted 27/27");
    expect((await run("stat", "/cli")).code).toBe(1);
  });

  it("drives the interactive shell through a pseudo-terminal, with path completion and history", async () => {
    await run("create", "/completion-target", "found");
    const shell = spawn("script", ["-qfec", `${node} ${cli} shell`, "/dev/null"], {
      env: {
        ...process.env,
        EDGEKEEPER_URL: service.url,
        EDGEKEEPER_HISTORY: historyFile,
        TERM: "xterm",
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let screen = "";
    shell.stdout?.on("data", (chunk: Buffer) => {
      // Plain text: carriage returns and the terminal's cursor escapes removed.
      screen += chunk.toString().replace(/\r/g, "").replace(terminalEscape, "");
    });
    const waitFor = (text: string) =>
      until(shell, () => screen.includes(text), `"${text}" on screen:\n${screen}`);
    await waitFor("[edgekeeper:");
    shell.stdin?.write("create /typed 1\n");
    await waitFor("Created /typed");
    shell.stdin?.write("get /complet\t");
    await waitFor("get /completion-target");
    shell.stdin?.write("\n");
    await waitFor("found");
    // A watch runs until Ctrl-C, which returns to the prompt with the same session.
    shell.stdin?.write("watch /typed\n");
    await waitFor("watch: watching /typed");
    await run("set", "/typed", "2");
    await waitFor("NodeDataChanged /typed");
    shell.stdin?.write("\x03");
    shell.stdin?.write("get /typed\n");
    await waitFor("2\n[edgekeeper:");
    shell.stdin?.write("quit\n");
    const code = await new Promise<number | null>((resolve) => shell.on("exit", resolve));
    expect(code).toBe(0);
    expect(readFileSync(historyFile, "utf8")).toContain(
      "create /typed 1\nget /completion-target\n",
    );
  });
});

/** Resolves once `done()` holds, checking on each output chunk; fails after 20 s. */
function until(child: ChildProcess, done: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (done()) return resolve();
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 20_000);
    const check = () => {
      if (done()) {
        clearTimeout(timer);
        child.stdout?.off("data", check);
        resolve();
      }
    };
    child.stdout?.on("data", check);
  });
}
