// The `edgekeeper` CLI as a real process against the running service: one-shot commands with
// their output and exit codes, --json, and the interactive shell driven through a
// pseudo-terminal (util-linux `script`), with tab completion of live znode paths and history.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { version } from "../../src/version.ts";
import { startBridge } from "./bridge.ts";
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
  return runIn({}, ...args);
}

function runIn(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      node,
      [cli, ...args],
      { env: { ...process.env, EDGEKEEPER_URL: service.url, ...env } },
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

describe("edgekeeper CLI: help, usage errors and output", () => {
  it("prints help for every command, with help [command], and its version, starting nothing", async () => {
    const help = await run("--help");
    expect(help.code).toBe(0);
    const names = [...help.stdout.matchAll(/^ {2}([a-zA-Z]+)\b/gm)]
      .map((m) => m[1] as string)
      .filter((n) => n !== "help");
    expect(names).toEqual(
      expect.arrayContaining(["ls", "get", "bridge", "lock", "elect", "completion", "shell"]),
    );
    for (const name of names) {
      const own = await run(name, "--help");
      expect(own, name).toMatchObject({ code: 0 });
      expect(own.stdout, name).toMatch(new RegExp(`^Usage: edgekeeper ${name}\\b`));
      expect((await run("help", name)).stdout, name).toBe(own.stdout);
    }
    expect(await run("-h")).toMatchObject({ code: 0, stdout: help.stdout });
    expect(await run("--version")).toMatchObject({ code: 0, stdout: `${version}\n` });
    // The benchmark's own command line: help, and nothing started (it would take seconds).
    const bench = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(node, [join(root, "src/bench/cli.ts"), "--help"], (error, stdout) =>
        resolve({ code: error ? 1 : 0, stdout }),
      ),
    );
    expect(bench.code).toBe(0);
    expect(bench.stdout).toContain("--compare <target>");
  });

  it("refuses unknown flags, surplus operands and bad values with a usage line and exit 2", async () => {
    for (const args of [
      ["ls", "-l", "/"],
      ["ls", "-w", "/"],
      ["ls", "/", "/extra"],
      ["frobnicate"],
      ["get"],
    ]) {
      const r = await run(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout, args.join(" ")).toBe("");
    }
    expect((await run("ls", "-l", "/")).stderr).toBe(
      "error: unknown option '-l'\nusage: edgekeeper ls [options] [path]\n",
    );
    const version = await run("set", "-v", "one", "/x", "data");
    expect(version).toMatchObject({ code: 2 });
    expect(version.stderr).toContain("-v takes a whole number (got one)");
    expect((await run("completion", "tcsh")).code).toBe(2);
    // A URL with a path would end up at /v1/zk/v1/zk: refused, for every command.
    const pathUrl = await run("bridge", "--url", "ws://127.0.0.1:8787/v1/zk");
    expect(pathUrl.code).toBe(2);
    expect(pathUrl.stderr).toContain("without a path");
    expect((await run("ls", "/", "--url", "ftp://127.0.0.1")).code).toBe(2);
  });

  it("takes ws:// base URLs as well as http://", async () => {
    const ws = service.url.replace(/^http/, "ws");
    expect(await runIn({ EDGEKEEPER_URL: ws }, "ruok")).toMatchObject({
      code: 0,
      stdout: "imok\n",
    });
    const bridge = await startBridge(ws);
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(bridge.port, "127.0.0.1", () => socket.write("ruok"));
        let text = "";
        socket.on("data", (chunk) => {
          text += chunk.toString();
        });
        socket.on("end", () => resolve(text));
        socket.on("error", reject);
      });
      expect(answer).toBe("imok");
      // Stopped with a client still connected, it exits at once, cleanly.
      const idle = connect(bridge.port, "127.0.0.1");
      await new Promise((resolve) => idle.once("connect", resolve));
      bridge.stop();
      expect(await bridge.exited).toBe(0);
      idle.destroy();
    } finally {
      bridge.stop();
    }
  });

  it("prints newline-terminated JSON: errors as one object on stderr, the tree nested", async () => {
    const missing = await run("--json", "get", "/nope");
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe("");
    expect(missing.stderr.endsWith("}\n")).toBe(true);
    expect(JSON.parse(missing.stderr)).toEqual({
      error: { code: -101, name: "NONODE", path: "/nope", message: "/nope does not exist" },
    });
    await run("create", "/json-tree");
    await run("create", "/json-tree/a");
    await run("create", "/json-tree/a/b");
    const tree = await run("tree", "/json-tree", "--json");
    expect(tree.stdout.endsWith("\n")).toBe(true);
    expect(JSON.parse(tree.stdout)).toEqual({
      path: "/json-tree",
      children: [{ path: "/json-tree/a", children: [{ path: "/json-tree/a/b", children: [] }] }],
    });
  });

  it("backup and restore: a member's tree to a file, and the file into an empty ensemble", async () => {
    expect((await run("create", "/backed-up", "precious")).code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), "edgekeeper-backup-"));
    const file = join(dir, "tree.snapshot");
    const backup = await run("backup", "-m", "1", "-a", "ops:pw", file);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(
      /^Wrote \d+ bytes to .*tree\.snapshot \(member 1, zxid 0x[0-9a-f]+\)\n$/,
    );
    const created = await fetch(`${service.url}/v1/ensembles`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "from-backup" }),
    });
    expect(created.status).toBe(201);
    const restored = await run("--ensemble", "from-backup", "restore", "-a", "ops:pw", file);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/^Restored \d+ nodes at zxid 0x[0-9a-f]+ on 3 members/);
    expect((await run("--ensemble", "from-backup", "get", "/backed-up")).stdout).toBe("precious\n");
    // Again: the ensemble now holds data, so only --force goes through.
    const again = await run("--ensemble", "from-backup", "restore", "-a", "ops:pw", file);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("NOTEMPTY");
    expect(
      (await run("--ensemble", "from-backup", "restore", "-f", "-a", "ops:pw", file)).code,
    ).toBe(0);
    const missing = await run("restore", join(dir, "missing.snapshot"));
    expect(missing.code).toBe(2);
    await fetch(`${service.url}/v1/ensembles/from-backup`, { method: "DELETE" });
  });

  it("config and reconfig: the live membership, an observer added, promoted and removed", async () => {
    const created = await fetch(`${service.url}/v1/ensembles`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "reconfigured" }),
    });
    expect(created.status).toBe(201);
    const e = ["--ensemble", "reconfigured"];
    expect((await run(...e, "create", "/kept", "v")).code).toBe(0);
    const before = await run(...e, "config");
    expect(before.stdout).toMatch(
      /^server\.0=member-0:participant\nserver\.1=member-1:participant\nserver\.2=member-2:participant\nleader=[012]\n$/,
    );
    const added = await run(...e, "reconfig", "add", "observer", "weur");
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^add observer 3 \(\d+ ms\); voters 0,1,2; observers 3\n$/);
    expect((await run(...e, "config")).stdout).toContain("server.3=member-3:observer\n");
    const promoted = await run(...e, "reconfig", "promote", "3");
    expect(promoted.stdout).toMatch(/voters 0,1,2,3; observers none\n$/);
    const removed = await run(...e, "reconfig", "remove", "1");
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/voters 0,2,3; observers none\n$/);
    expect((await run(...e, "get", "/kept")).stdout).toBe("v\n");
    // Repeating a removal retires the member again (for one that was down); a stranger is refused.
    const again = await run(...e, "reconfig", "remove", "1");
    expect(again.stdout).toMatch(/voters 0,2,3; observers none\n$/);
    const bad = await run(...e, "reconfig", "remove", "7");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("BADARGUMENTS");
    expect((await run(...e, "reconfig", "grow", "x")).code).toBe(2);
    await fetch(`${service.url}/v1/ensembles/reconfigured`, { method: "DELETE" });
  });

  it("lock: a second holder runs its command only after the first has exited", async () => {
    const dir = mkdtempSync(join(tmpdir(), "edgekeeper-lock-"));
    const log = join(dir, "log");
    const go = join(dir, "go");
    const first = spawnCli(
      "lock",
      "/cli-lock",
      "--",
      "sh",
      "-c",
      `echo "first $EDGEKEEPER_FENCING_TOKEN" >> ${log}; echo started; while [ ! -e ${go} ]; do sleep 0.02; done; echo "first done" >> ${log}`,
    );
    await until(
      first,
      () => first.stdoutText === "started\n",
      "the first holder's command to start",
    );
    const second = spawnCli(
      "lock",
      "/cli-lock",
      "--",
      "sh",
      "-c",
      `echo "second $EDGEKEEPER_FENCING_TOKEN $EDGEKEEPER_LOCK_PATH" >> ${log}; exit 7`,
    );
    await until(
      second,
      () => second.stderrText.includes("waiting for /cli-lock"),
      "the second to wait",
      "stderr",
    );
    expect(readFileSync(log, "utf8")).not.toContain("second");
    // A waiter interrupted while waiting leaves the queue at once (its session is closed).
    const impatient = spawnCli("lock", "/cli-lock", "--", "sh", "-c", `echo never >> ${log}`);
    await until(
      impatient,
      () => impatient.stderrText.includes("waiting for"),
      "a third waiter",
      "stderr",
    );
    expect((await run("ls", "/cli-lock")).stdout.split(",").length).toBe(3);
    impatient.kill("SIGINT");
    expect(await exited(impatient)).toBe(130);
    expect((await run("ls", "/cli-lock")).stdout.split(",").length).toBe(2);
    writeFileSync(go, "");
    expect(await exited(first)).toBe(0);
    // The command's exit code is the CLI's.
    expect(await exited(second)).toBe(7);
    const lines = readFileSync(log, "utf8").trim().split("\n");
    expect(lines[0]).toMatch(/^first \d+$/);
    expect(lines[1]).toBe("first done");
    expect(lines[2]).toMatch(/^second \d+ \/cli-lock$/);
    expect(lines).toHaveLength(3);
    const token = (line: string) => Number(line.split(" ")[1]);
    expect(token(lines[2] as string)).toBeGreaterThan(token(lines[0] as string));
    // Released: nothing left under the lock — the lock's container node may already be reaped.
    const left = await run("--json", "ls", "/cli-lock");
    if (left.code === 0) expect(JSON.parse(left.stdout).children).toEqual([]);
    else expect(JSON.parse(left.stderr)).toMatchObject({ error: { name: "NONODE" } });
    expect((await run("lock", "/cli-lock", "--", "/nonexistent/command")).code).toBe(127);
  });

  it("elect: prints each new leader's proposal; the next takes over when the leader resigns", async () => {
    const watcher = spawnCli("elect", "--listen", "/cli-election");
    await until(watcher, () => watcher.stderrText.includes("watching"), "the listener", "stderr");
    const alpha = spawnCli("elect", "/cli-election", "alpha");
    await until(alpha, () => alpha.stdoutText === "alpha\n", "alpha to lead");
    expect(alpha.stderrText).toMatch(/this proposal leads \(fencing token \d+\)/);
    const beta = spawnCli("elect", "/cli-election", "beta");
    await until(beta, () => beta.stdoutText === "alpha\n", "beta to see alpha lead");
    alpha.kill("SIGINT");
    expect(await exited(alpha)).toBe(0);
    await until(beta, () => beta.stdoutText === "alpha\nbeta\n", "beta to lead");
    await until(watcher, () => watcher.stdoutText === "alpha\nbeta\n", "the listener to see both");
    beta.kill("SIGINT");
    watcher.kill("SIGINT");
    expect(await exited(beta)).toBe(0);
    expect(await exited(watcher)).toBe(0);
    expect((await run("elect", "/cli-election")).code).toBe(2);
  });

  it("completion: the bash script loads and completes commands and a command's flags", async () => {
    const complete = (words: string) =>
      new Promise<string>((resolve, reject) =>
        execFile(
          "bash",
          [
            "-c",
            `source <("${node}" "${cli}" completion bash) && COMP_WORDS=(${words}) && COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)) && _edgekeeper && echo "\${COMPREPLY[*]}"`,
          ],
          (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout.trim())),
        ),
      );
    expect((await complete("edgekeeper l")).split(" ").sort()).toEqual(["lock", "ls"]);
    expect(await complete("edgekeeper ls --r")).toBe("--recursive");
    expect(await complete("edgekeeper --url http://x el")).toBe("elect");
    for (const shell of ["zsh", "fish"]) {
      const script = await run("completion", shell);
      expect(script.code).toBe(0);
      expect(script.stdout).toContain("elect");
    }
  });
});

interface CliProcess extends ChildProcess {
  stdoutText: string;
  stderrText: string;
}

function spawnCli(...args: string[]): CliProcess {
  const child = spawn(node, [cli, ...args], {
    env: { ...process.env, EDGEKEEPER_URL: service.url },
    stdio: ["ignore", "pipe", "pipe"],
  }) as CliProcess;
  child.stdoutText = "";
  child.stderrText = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    child.stdoutText += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    child.stderrText += chunk.toString();
  });
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** Resolves once `done()` holds, checking on each output chunk; fails after 20 s. */
function until(
  child: ChildProcess,
  done: () => boolean,
  what: string,
  stream: "stdout" | "stderr" = "stdout",
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (done()) return resolve();
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 20_000);
    const check = () => {
      if (done()) {
        clearTimeout(timer);
        child[stream]?.off("data", check);
        resolve();
      }
    };
    child[stream]?.on("data", check);
  });
}
