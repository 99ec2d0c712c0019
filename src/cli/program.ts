// The `edgekeeper` command line: every command with its operands, flags and help, parsed by
// commander (strict: an unknown flag or a surplus operand is a usage error, exit 2), for one-shot
// commands and for each line of the interactive shell alike.

import { Argument, Command as Cli, CommanderError } from "commander";
import { EdgeKeeperClient } from "../client/index.ts";
import { version } from "../version.ts";
import { startBridge } from "./bridge.ts";
import { type Command, commands, type Io, UsageError } from "./commands.ts";
import { type Completions, completionScript, shells } from "./completion.ts";
import { type GlobalOptions, type Target, targetFrom } from "./connection.ts";
import { elect } from "./elect.ts";
import { lock } from "./lock.ts";
import { exitCodes, reportError, runCommand } from "./run.ts";
import { shell } from "./shell.ts";

/** What a parse needs from outside: where to print, and in the shell its open session. */
export interface CliContext {
  readonly io: Io;
  /** Set inside the shell: the session and target every line shares. */
  readonly shared?: {
    readonly zk: () => Promise<EdgeKeeperClient>;
    readonly target: Target;
    readonly signal: AbortSignal;
  };
}

/** Runs one command line (argv after the program name); resolves to its exit code. */
export async function runCli(argv: readonly string[], context: CliContext): Promise<number> {
  let code: number = exitCodes.ok;
  let client: EdgeKeeperClient | null = null;
  const program = buildProgram(context, {
    done: (c) => {
      code = c;
    },
    connect: async (target) => {
      client ??= await EdgeKeeperClient.connect({
        url: target.url,
        ...(target.token === undefined ? {} : { token: target.token }),
        ...(target.ensemble === undefined ? {} : { ensemble: target.ensemble }),
        ...(target.sessionTimeoutMs === undefined
          ? {}
          : { sessionTimeoutMs: target.sessionTimeoutMs }),
      });
      return client;
    },
  });
  try {
    await program.parseAsync(context.shared ? [...argv] : withDefaultCommand(argv), {
      from: "user",
    });
    return code;
  } catch (e) {
    if (e instanceof CommanderError)
      return e.exitCode === 0 || e.code === "commander.version" ? exitCodes.ok : exitCodes.usage;
    return reportError(e, { url: "", json: argv.includes("--json") }, context.io);
  } finally {
    const open = client as EdgeKeeperClient | null;
    if (open && !context.shared) await open.close().catch(() => {});
  }
}

interface Hooks {
  readonly done: (code: number) => void;
  readonly connect: (target: Target) => Promise<EdgeKeeperClient>;
}

function buildProgram(context: CliContext, hooks: Hooks): Cli {
  const { io, shared } = context;
  const program = new Cli("edgekeeper")
    .description(
      "zkCli's commands against an edgekeeper ensemble, one-shot or as an interactive shell.\n" +
        "Exit codes: 0 ok, 1 a ZooKeeper error, 2 usage, 3 unreachable, 4 token refused.",
    )
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text.replace(/\n$/, "")),
      writeErr: (text) => io.err(text.replace(/\n$/, "")),
    })
    .showHelpAfterError("(edgekeeper help for the commands)")
    .helpCommand("help [command]", "Help for a command");
  program.option("--json", "print JSON, one value per line");
  if (!shared) {
    program
      .version(version, "-V, --version", "print the version")
      .option("--url <url>", "the service's base URL (EDGEKEEPER_URL; http://127.0.0.1:8787)")
      .option("--token <token>", "a bearer token (EDGEKEEPER_TOKEN)")
      .option("--ensemble <name>", "an ensemble other than the default one (EDGEKEEPER_ENSEMBLE)")
      .option("--session-timeout <ms>", "the session timeout to ask for");
  }
  const target = (cmd: Cli): Target => {
    const globals = cmd.optsWithGlobals() as GlobalOptions;
    return shared
      ? { ...shared.target, json: shared.target.json || globals.json === true }
      : targetFrom(globals);
  };
  const zkFor = (cmd: Cli) => shared?.zk ?? (() => hooks.connect(target(cmd)));

  for (const [name, command] of Object.entries(commands)) {
    const sub = program.command(name).description(command.summary);
    if (command.operands !== "") sub.arguments(command.operands);
    for (const f of command.flags ?? [])
      sub.option(`-${f.letter}, --${f.long}${f.value ? ` <${f.value}>` : ""}`, f.description);
    usageOnError(sub);
    sub.action(async (...args: unknown[]) => {
      const cmd = args.at(-1) as Cli;
      hooks.done(await runZnodeCommand(command, cmd, zkFor(cmd), target(cmd), io, shared?.signal));
    });
  }
  if (shared) return program;

  usageOnError(
    program
      .command("shell")
      .description("The interactive shell (the default): history, tab completion of paths"),
  ).action(async (_options: unknown, cmd: Cli) => {
    const t = target(cmd);
    const zk = () => hooks.connect(t);
    hooks.done(
      await shell(zk, t, io, (words, signal) =>
        runCli(words, { io, shared: { zk, target: t, signal } }),
      ),
    );
  });

  usageOnError(
    program
      .command("bridge")
      .description("Lets unmodified ZooKeeper clients connect: a local TCP port onto /v1/zk")
      .option("--listen <host:port>", "where to listen", "127.0.0.1:2181"),
  ).action(async (options: { listen: string }, cmd: Cli) => {
    const t = target(cmd);
    const { host, port } = hostPort(options.listen);
    const server = await startBridge({
      host,
      port,
      url: t.url,
      token: t.token,
      ensemble: t.ensemble,
      log: (line) => io.err(line),
    });
    // Runs until interrupted; it started nothing else. Open connections end with the process
    // (close() alone would wait for every client to hang up).
    await new Promise<void>((resolve) => {
      const stop = () => {
        server.close();
        resolve();
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    hooks.done(exitCodes.ok);
  });

  usageOnError(
    program
      .command("lock")
      .summary("Runs a command while holding a lock")
      .description(
        "Runs a command while holding the lock at <path> and releases it when the command exits; " +
          "the command sees EDGEKEEPER_LOCK_PATH and EDGEKEEPER_FENCING_TOKEN. Exits with its code.",
      )
      .argument("<path>", "the lock's znode (created as a container if missing)")
      .argument("<command...>", "the command and its arguments (after --)"),
  ).action(async (path: string, argv: string[], _options: unknown, cmd: Cli) => {
    const t = target(cmd);
    hooks.done(await guarded(t, io, () => lock(zkFor(cmd), path, argv, t, io)));
  });

  usageOnError(
    program
      .command("elect")
      .summary("Campaigns for leadership, printing each new leader")
      .description(
        "Campaigns for leadership under <path> with <proposal> and prints each new leader's " +
          "proposal until interrupted (then resigns); with --listen only watches.",
      )
      .argument("<path>", "the election's znode")
      .argument("[proposal]", "this contender's value (required unless --listen)")
      .option("-l, --listen", "only print the leaders, do not campaign"),
  ).action(
    async (path: string, proposal: string | undefined, options: { listen?: boolean }, cmd: Cli) => {
      const t = target(cmd);
      if (!options.listen && proposal === undefined)
        throw new UsageError("elect needs a proposal unless --listen");
      hooks.done(
        await guarded(t, io, () =>
          elect(zkFor(cmd), path, options.listen ? null : (proposal as string), t, io),
        ),
      );
    },
  );

  usageOnError(
    program
      .command("completion")
      .description("Prints a shell completion script: source <(edgekeeper completion bash)")
      .addArgument(new Argument("<shell>", "bash, zsh or fish").choices(shells)),
  ).action((which: (typeof shells)[number]) => {
    io.out(completionScript(which, completions(program)));
    hooks.done(exitCodes.ok);
  });
  return program;
}

/** No command named (only global options): the interactive shell, as zkCli does. */
function withDefaultCommand(argv: readonly string[]): string[] {
  const valued = new Set(["--url", "--token", "--ensemble", "--session-timeout"]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("-")) return [...argv];
    if (["-h", "--help", "-V", "--version"].includes(arg)) return [...argv];
    if (valued.has(arg)) i++;
  }
  return [...argv, "shell"];
}

/** On a parse error, the command's usage line follows the message. */
function usageOnError(sub: Cli): Cli {
  sub.showHelpAfterError(`usage: ${commandPath(sub)} ${sub.usage()}`);
  return sub;
}

function commandPath(sub: Cli): string {
  const names: string[] = [];
  for (let c: Cli | null = sub; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

async function runZnodeCommand(
  command: Command,
  cmd: Cli,
  zk: () => Promise<EdgeKeeperClient>,
  target: Target,
  io: Io,
  signal: AbortSignal | undefined,
): Promise<number> {
  const options = cmd.opts() as Record<string, string | boolean | undefined>;
  const flags = new Map<string, string | true>();
  for (const f of command.flags ?? []) {
    const v = options[f.long];
    if (typeof v === "string") flags.set(f.letter, v);
    else if (v === true) flags.set(f.letter, true);
  }
  return runCommand(
    command,
    `${commandPath(cmd)} ${cmd.usage()}`,
    zk,
    { words: [...cmd.args], flags, ...(signal ? { signal } : {}) },
    target,
    io,
  );
}

/** Runs a long command, turning its errors into one message and an exit code. */
async function guarded(target: Target, io: Io, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (e) {
    return reportError(e, target, io);
  }
}

function hostPort(text: string): { host: string; port: number } {
  const at = text.lastIndexOf(":");
  const port = Number(text.slice(at + 1));
  if (at < 0 || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--listen takes host:port (got ${text})`);
  return { host: text.slice(0, at) || "127.0.0.1", port };
}

/** The command names and flags, for completion scripts. */
function completions(program: Cli): Completions {
  const flagsOf = (c: Cli) => c.options.flatMap((o) => [o.short, o.long].filter(isText));
  return {
    globalFlags: [...flagsOf(program), "-h", "--help"],
    valuedGlobalFlags: program.options
      .filter((o) => o.required)
      .flatMap((o) => [o.long].filter(isText)),
    commands: program.commands.map((c) => ({
      name: c.name(),
      summary: c.description().split("\n")[0] ?? "",
      flags: [...flagsOf(c), "-h", "--help"],
    })),
  };
}

function isText(v: string | undefined): v is string {
  return v !== undefined;
}
