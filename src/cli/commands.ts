// The CLI's znode commands, with zkCli's names and feel: each declares its arguments and flags
// (program.ts turns them into the parser's commands), prints text — or one line of JSON with
// --json — and returns an exit code (0 ok, 1 a ZooKeeper error, 2 a usage error; run.ts adds 3
// and 4).

import { readFile, writeFile } from "node:fs/promises";
import { ensemblePath } from "../client/ensemble-path.ts";
import { type EdgeKeeperClient, KeeperError, type Stat } from "../client/index.ts";
import type { Target } from "./connection.ts";

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** A flag: `-s` (letter) with its long name, and the value it takes if any. */
export interface FlagSpec {
  readonly letter: string;
  readonly long: string;
  readonly value?: string;
  readonly description: string;
}

export interface Command {
  /** What it does, for help. */
  readonly summary: string;
  /** Its operands in the parser's syntax: `<path>` required, `[data]` optional. */
  readonly operands: string;
  readonly flags?: readonly FlagSpec[];
  /** Flags reach `run` keyed by their letter; operands in order as `words`. */
  readonly run: (
    zk: () => Promise<EdgeKeeperClient>,
    args: {
      words: string[];
      flags: Map<string, string | true>;
      /** Aborted by Ctrl-C inside the shell: a long-running command stops, the session stays. */
      signal?: AbortSignal;
    },
    target: Target,
    io: Io,
  ) => Promise<number>;
}

const decoder = new TextDecoder();

function print(io: Io, target: Target, value: unknown, text: string): void {
  io.out(target.json ? JSON.stringify(value) : text);
}

function statText(stat: Stat): string {
  return [
    `cZxid = 0x${stat.czxid.toString(16)}`,
    `ctime = ${new Date(stat.ctime).toUTCString()}`,
    `mZxid = 0x${stat.mzxid.toString(16)}`,
    `mtime = ${new Date(stat.mtime).toUTCString()}`,
    `pZxid = 0x${stat.pzxid.toString(16)}`,
    `cversion = ${stat.cversion}`,
    `dataVersion = ${stat.version}`,
    `aclVersion = ${stat.aversion}`,
    `ephemeralOwner = 0x${BigInt.asUintN(64, BigInt(stat.ephemeralOwner)).toString(16)}`,
    `dataLength = ${stat.dataLength}`,
    `numChildren = ${stat.numChildren}`,
  ].join("\n");
}

async function walk(
  zk: EdgeKeeperClient,
  path: string,
  visit: (path: string, depth: number) => void,
  depth = 0,
): Promise<void> {
  visit(path, depth);
  for (const child of (await zk.getChildren(path)).children.sort()) {
    await walk(zk, path === "/" ? `/${child}` : `${path}/${child}`, visit, depth + 1);
  }
}

/** An admin request: its method, a file or a JSON body, a digest identity, a query. */
interface AdminInit {
  method?: string;
  body?: Uint8Array;
  json?: unknown;
  auth?: string;
  query?: string;
}

async function admin(
  target: Target,
  command: string,
  init: AdminInit = {},
): Promise<Record<string, unknown>> {
  const res = await adminResponse(target, command, init);
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new KeeperError(body.error as { code: number; name: string; message: string });
  return body;
}

/** An admin route's raw answer (a backup streams a file); unreachable is CONNECTIONLOSS. */
async function adminResponse(
  target: Target,
  command: string,
  init: AdminInit = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (init.json !== undefined) headers["content-type"] = "application/json";
  if (target.token) headers.authorization = `Bearer ${target.token}`;
  if (init.auth) headers["x-auth-digest"] = init.auth;
  const path = ensemblePath(`/v1/admin/${command}`, target.ensemble);
  try {
    return await fetch(`${target.url}${path}${init.query ? `?${init.query}` : ""}`, {
      method: init.method ?? "GET",
      headers,
      ...(init.body ? { body: init.body } : {}),
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
    });
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    throw new KeeperError({
      code: -4,
      name: "CONNECTIONLOSS",
      message: `Cannot reach ${target.url}${cause ? ` (${cause})` : ""}`,
    });
  }
}

const authFlag: FlagSpec = {
  letter: "a",
  long: "auth",
  value: "user:password",
  description: "a digest identity granted ALL on / (X-Auth-Digest)",
};

export const commands: Record<string, Command> = {
  ls: {
    summary: "The children of a znode",
    operands: "[path]",
    flags: [
      { letter: "R", long: "recursive", description: "every path below, depth first" },
      { letter: "s", long: "stat", description: "the znode's Stat too" },
    ],
    async run(zk, { words, flags }, target, io) {
      const path = words[0] ?? "/";
      const client = await zk();
      if (flags.has("R")) {
        const all: string[] = [];
        await walk(client, path, (p) => all.push(p));
        print(io, target, all, all.join("\n"));
        return 0;
      }
      const { children, stat } = await client.getChildren(path);
      print(
        io,
        target,
        { children, stat },
        `[${children.join(", ")}]${flags.has("s") ? `\n${statText(stat)}` : ""}`,
      );
      return 0;
    },
  },
  get: {
    summary: "A znode's data",
    operands: "<path>",
    flags: [
      { letter: "s", long: "stat", description: "the znode's Stat too" },
      { letter: "w", long: "watch", description: "print the next change to it, then exit" },
    ],
    async run(zk, { words, flags }, target, io) {
      const args = words;
      const client = await zk();
      const watch = flags.has("w");
      const { data, stat } = await client.getData(
        args[0] as string,
        watch
          ? { watch: (e) => io.out(`WATCHER:: ${e.event} ${e.path} zxid=0x${e.zxid.toString(16)}`) }
          : {},
      );
      const text = decoder.decode(data);
      print(io, target, { data: text, stat }, flags.has("s") ? `${text}\n${statText(stat)}` : text);
      return 0;
    },
  },
  stat: {
    summary: "A znode's Stat",
    operands: "<path>",
    async run(zk, { words }, target, io) {
      const stat = await (await zk()).exists(words[0] as string);
      if (!stat)
        throw new KeeperError({
          code: -101,
          name: "NONODE",
          message: `${words[0]} does not exist`,
          path: words[0] as string,
        });
      print(io, target, stat, statText(stat));
      return 0;
    },
  },
  set: {
    summary: "Replaces a znode's data",
    operands: "<path> <data>",
    flags: [
      {
        letter: "v",
        long: "version",
        value: "version",
        description: "only if the data version is still this",
      },
    ],
    async run(zk, { words, flags }, target, io) {
      const version = wholeNumber(flags, "v", -1);
      const stat = await (await zk()).setData(words[0] as string, words[1] as string, version);
      print(io, target, stat, `dataVersion = ${stat.version}`);
      return 0;
    },
  },
  create: {
    summary: "Creates a znode",
    operands: "<path> [data]",
    flags: [
      { letter: "e", long: "ephemeral", description: "gone when this session ends" },
      { letter: "s", long: "sequential", description: "append a sequence number to the name" },
      { letter: "c", long: "container", description: "deleted once its last child is" },
      {
        letter: "t",
        long: "ttl",
        value: "ms",
        description: "deleted after this many ms without changes or children",
      },
    ],
    async run(zk, { words, flags }, target, io) {
      const e = flags.has("e");
      const s = flags.has("s");
      const ttl = flags.has("t") ? wholeNumber(flags, "t", 0) : undefined;
      const mode = flags.has("c")
        ? "container"
        : ttl !== undefined
          ? s
            ? "persistent_sequential_ttl"
            : "persistent_ttl"
          : e
            ? s
              ? "ephemeral_sequential"
              : "ephemeral"
            : s
              ? "persistent_sequential"
              : "persistent";
      const created = await (await zk()).create(words[0] as string, words[1] ?? "", {
        mode,
        ...(ttl !== undefined ? { ttlMs: ttl } : {}),
      });
      print(io, target, created, `Created ${created.path}`);
      return 0;
    },
  },
  delete: {
    summary: "Deletes a znode without children",
    operands: "<path>",
    flags: [
      {
        letter: "v",
        long: "version",
        value: "version",
        description: "only if the data version is still this",
      },
    ],
    async run(zk, { words, flags }, target, io) {
      await (await zk()).delete(words[0] as string, wholeNumber(flags, "v", -1));
      print(io, target, { deleted: words[0] }, "");
      return 0;
    },
  },
  deleteall: {
    summary: "Deletes a znode and everything below it",
    operands: "<path>",
    async run(zk, { words }, target, io) {
      const client = await zk();
      const all: string[] = [];
      await walk(client, words[0] as string, (p) => all.push(p));
      // Deepest first; progress on stderr so --json output stays clean.
      all.sort((a, b) => b.split("/").length - a.split("/").length);
      let done = 0;
      for (const p of all) {
        await client.delete(p).catch((e: unknown) => {
          if (!(e instanceof KeeperError && e.error === "NONODE")) throw e;
        });
        done++;
        if (all.length > 20 && (done % 10 === 0 || done === all.length))
          io.err(`deleted ${done}/${all.length}`);
      }
      print(io, target, { deleted: all.length }, `Deleted ${all.length} nodes`);
      return 0;
    },
  },
  getAcl: {
    summary: "A znode's ACL",
    operands: "<path>",
    async run(zk, { words }, target, io) {
      const { acl } = await (await zk()).getACL(words[0] as string);
      print(
        io,
        target,
        acl,
        acl.map((a) => `'${a.scheme},'${a.id}\n: ${permText(a.perms)}`).join("\n"),
      );
      return 0;
    },
  },
  setAcl: {
    summary: "Replaces a znode's ACL (perms: any of rwcda)",
    operands: "<path> <acl>",
    async run(zk, { words }, target, io) {
      const acl = (words[1] as string).split(",").map((spec) => {
        const parts = spec.split(":");
        const perms = parts.pop() ?? "";
        const scheme = parts.shift() ?? "";
        return { scheme, id: parts.join(":"), perms };
      });
      const stat = await (await zk()).setACL(words[0] as string, acl);
      print(io, target, stat, `aclVersion = ${stat.aversion}`);
      return 0;
    },
  },
  addauth: {
    summary: "Adds an identity to the session (digest user:password)",
    operands: "<scheme> <auth>",
    async run(zk, { words }, target, io) {
      if (words[0] !== "digest")
        throw new UsageError(`the only scheme is digest (got ${words[0]})`);
      await (await zk()).addAuth("digest", words[1] as string);
      print(io, target, { ok: true }, "");
      return 0;
    },
  },
  sync: {
    summary: "Waits until the member has every write committed before now",
    operands: "[path]",
    async run(zk, _args, target, io) {
      const zxid = await (await zk()).sync();
      print(io, target, { zxid }, `Sync is OK (zxid 0x${zxid.toString(16)})`);
      return 0;
    },
  },
  watch: {
    summary: "Streams a znode's events until interrupted (survives reconnects)",
    operands: "<path>",
    flags: [{ letter: "R", long: "recursive", description: "events of every znode below too" }],
    async run(zk, { words, flags, signal }, target, io) {
      const client = await zk();
      const stream = client.watch(words[0] as string, { recursive: flags.has("R") });
      // What the connection is doing goes to stderr; the events alone go to stdout.
      const session = `session 0x${BigInt(client.sessionId ?? "0").toString(16)}`;
      const stopStates = client.onState((state) => {
        if (state === "suspended") io.err(`watch: connection lost; reconnecting (${session})`);
        else if (state === "reconnected")
          io.err(`watch: back; ${session} resumed, missed events replayed`);
        else if (state === "expired") io.err(`watch: ${session} expired; stopping`);
        else if (state === "authFailed") io.err("watch: the service refused the token; stopping");
      });
      signal?.addEventListener("abort", () => void stream.close().catch(() => {}), {
        once: true,
      });
      await stream.ready;
      io.err(`watch: watching ${words[0]}${flags.has("R") ? " and below" : ""} (${session})`);
      try {
        for await (const e of stream)
          print(io, target, e, `${e.event} ${e.path} zxid=0x${e.zxid.toString(16)}`);
      } finally {
        stopStates();
      }
      if (client.state === "expired")
        throw new KeeperError({
          code: -112,
          name: "SESSIONEXPIRED",
          message: `The ${session} expired while watching ${words[0]}; events after it are unknown`,
        });
      if (client.state === "authFailed")
        throw new KeeperError({
          code: -115,
          name: "AUTHFAILED",
          message: "The service refused the token",
        });
      return 0;
    },
  },
  tree: {
    summary: "Prints the tree below a znode",
    operands: "[path]",
    async run(zk, { words }, target, io) {
      const root: TreeJson = { path: words[0] ?? "/", children: [] };
      const lines: string[] = [];
      const parents: TreeJson[] = [];
      await walk(await zk(), root.path, (p, depth) => {
        lines.push(`${"  ".repeat(depth)}${depth === 0 ? p : p.slice(p.lastIndexOf("/") + 1)}`);
        const node = depth === 0 ? root : { path: p, children: [] };
        if (depth > 0) parents[depth - 1]?.children.push(node);
        parents[depth] = node;
      });
      print(io, target, root, lines.join("\n"));
      return 0;
    },
  },
  backup: {
    summary: "Writes a member's tree to <file> as a snapshot file (a backup)",
    operands: "<file>",
    flags: [
      { letter: "m", long: "member", value: "n", description: "the member to copy (default 0)" },
      authFlag,
    ],
    async run(_zk, { words, flags }, target, io) {
      const file = words[0] as string;
      const member = wholeNumber(flags, "m", 0);
      const auth = flags.get("a");
      const res = await adminResponse(target, "snapshot", {
        query: `member=${member}`,
        ...(typeof auth === "string" ? { auth } : {}),
      });
      if (!res.ok) {
        const body = (await res.json()) as {
          error: { code: number; name: string; message: string };
        };
        throw new KeeperError(body.error);
      }
      const bytes = new Uint8Array(await res.arrayBuffer());
      await writeFile(file, bytes);
      const index = Number(res.headers.get("x-edgekeeper-snapshot-index"));
      const r = { file, bytes: bytes.length, index, member };
      print(
        io,
        target,
        r,
        `Wrote ${bytes.length} bytes to ${file} (member ${member}, zxid 0x${index.toString(16)})`,
      );
      return 0;
    },
  },
  restore: {
    summary: "Seeds the ensemble from a backup <file>; -f restores over what it holds",
    operands: "<file>",
    flags: [
      {
        letter: "f",
        long: "force",
        description: "restore over sessions and nodes outside /zookeeper",
      },
      authFlag,
    ],
    async run(_zk, { words, flags }, target, io) {
      const file = words[0] as string;
      let body: Uint8Array;
      try {
        body = new Uint8Array(await readFile(file));
      } catch (e) {
        throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
      }
      const auth = flags.get("a");
      const r = await admin(target, "restore", {
        method: "POST",
        body,
        ...(flags.has("f") ? { query: "force=true" } : {}),
        ...(typeof auth === "string" ? { auth } : {}),
      });
      print(
        io,
        target,
        r,
        `Restored ${String(r.nodes)} nodes at zxid 0x${Number(r.index).toString(16)} on ${String(r.members)} members (digest ${String(r.digest)})`,
      );
      return 0;
    },
  },
  config: {
    summary:
      "The live membership, as ZooKeeper's config (server.<n>=member-<n>:participant|observer)",
    operands: "",
    async run(_zk, _args, target, io) {
      const r = await admin(target, "members");
      print(io, target, r, configLines(r).join("\n"));
      return 0;
    },
  },
  reconfig: {
    summary:
      "Changes the membership while it serves: add voter|observer [region], promote <n>, remove <n>",
    operands: "<action> <what> [region]",
    async run(_zk, { words }, target, io) {
      const [action, what, region] = words;
      let json: Record<string, unknown>;
      if (action === "add" && (what === "voter" || what === "observer"))
        json = { action, role: what, ...(region === undefined ? {} : { region }) };
      else if ((action === "remove" || action === "promote") && /^\d+$/.test(what ?? ""))
        json = { action, member: Number(what) };
      else
        throw new UsageError(
          "reconfig add voter|observer [region] | reconfig promote <n> | reconfig remove <n>",
        );
      const r = await admin(target, "members", { method: "POST", json });
      const steps =
        (r.steps as Array<{ change: string; atMs: number }>)
          .map((s) => `${s.change} (${s.atMs} ms)`)
          .join(", ") || "nothing to change";
      print(
        io,
        target,
        r,
        `${steps}; voters ${(r.voters as number[]).join(",")}; observers ${(r.observers as number[]).join(",") || "none"}`,
      );
      return 0;
    },
  },
  ruok: {
    summary: "Asks the member whether it serves (imok)",
    operands: "",
    async run(_zk, _args, target, io) {
      const r = await admin(target, "ruok");
      print(io, target, r, String(r.answer));
      return 0;
    },
  },
  srvr: {
    summary: "The member's role, zxid and counts",
    operands: "",
    async run(_zk, _args, target, io) {
      const r = await admin(target, "srvr");
      print(
        io,
        target,
        r,
        Object.entries(r)
          .filter(([k]) => k !== "error" && k !== "command")
          .map(([k, v]) => `${k}: ${v}`)
          .join("\n"),
      );
      return 0;
    },
  },
  mntr: {
    summary: "The member's metrics, one per line",
    operands: "",
    async run(_zk, _args, target, io) {
      const r = await admin(target, "mntr");
      print(
        io,
        target,
        r,
        Object.entries(r)
          .filter(([k]) => k !== "error" && k !== "command")
          .map(([k, v]) => `${k}\t${v}`)
          .join("\n"),
      );
      return 0;
    },
  },
};

/** `tree --json`: the nested shape, not the indented text. */
interface TreeJson {
  readonly path: string;
  readonly children: TreeJson[];
}

/** A -v or -t value: a whole number, or a usage error naming the flag. */
export function wholeNumber(
  flags: Map<string, string | true>,
  letter: string,
  fallback: number,
): number {
  const v = flags.get(letter);
  if (v === undefined) return fallback;
  if (typeof v !== "string" || !/^-?\d+$/.test(v))
    throw new UsageError(`-${letter} takes a whole number (got ${String(v)})`);
  return Number(v);
}

/** Bad input found after parsing: printed with the command's usage, exit 2. */
export class UsageError extends Error {}

function permText(perms: number): string {
  return "rwcda"
    .split("")
    .filter((_, i) => (perms & ([1, 2, 4, 8, 16][i] ?? 0)) !== 0)
    .join("");
}

/** GET /v1/admin/members as ZooKeeper's config lines, with who leads. */
function configLines(r: Record<string, unknown>): string[] {
  const voters = r.voters as number[];
  const observers = r.observers as number[];
  return [
    ...voters.map((n) => `server.${n}=member-${n}:participant`),
    ...observers.map((n) => `server.${n}=member-${n}:observer`),
    `leader=${r.leader === null ? "none" : String(r.leader)}`,
  ];
}
