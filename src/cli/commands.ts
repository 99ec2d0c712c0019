// The CLI's commands, with zkCli's names and feel: each prints text (or JSON with --json) and
// returns an exit code (0 ok, 1 a ZooKeeper error, 2 a usage error; run.ts adds 3 and 4).

import { type EdgeKeeperClient, KeeperError, type Stat } from "../client/index.ts";
import type { Target } from "./connection.ts";

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export interface Command {
  readonly usage: string;
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

function need(words: string[], n: number): string[] | null {
  return words.length >= n ? words : null;
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

async function admin(target: Target, command: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${target.url}/v1/admin/${command}`, {
    headers: target.token ? { authorization: `Bearer ${target.token}` } : {},
  });
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new KeeperError(body.error as { code: number; name: string; message: string });
  return body;
}

export const commands: Record<string, Command> = {
  ls: {
    usage: "ls [-R] [-s] path",
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
    usage: "get [-s] [-w] path",
    async run(zk, { words, flags }, target, io) {
      const args = need(words, 1);
      if (!args) return usage(io, this.usage);
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
    usage: "stat path",
    async run(zk, { words }, target, io) {
      if (!words[0]) return usage(io, this.usage);
      const stat = await (await zk()).exists(words[0]);
      if (!stat)
        throw new KeeperError({
          code: -101,
          name: "NONODE",
          message: `${words[0]} does not exist`,
          path: words[0],
        });
      print(io, target, stat, statText(stat));
      return 0;
    },
  },
  set: {
    usage: "set [-v version] path data",
    async run(zk, { words, flags }, target, io) {
      if (words.length < 2) return usage(io, this.usage);
      const version = flags.has("v") ? Number(flags.get("v")) : -1;
      const stat = await (await zk()).setData(words[0] as string, words[1] as string, version);
      print(io, target, stat, `dataVersion = ${stat.version}`);
      return 0;
    },
  },
  create: {
    usage: "create [-e] [-s] [-c] [-t ttl] path [data]",
    async run(zk, { words, flags }, target, io) {
      if (!words[0]) return usage(io, this.usage);
      const e = flags.has("e");
      const s = flags.has("s");
      const ttl = flags.get("t");
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
      const created = await (await zk()).create(words[0], words[1] ?? "", {
        mode,
        ...(typeof ttl === "string" ? { ttlMs: Number(ttl) } : {}),
      });
      print(io, target, created, `Created ${created.path}`);
      return 0;
    },
  },
  delete: {
    usage: "delete [-v version] path",
    async run(zk, { words, flags }, target, io) {
      if (!words[0]) return usage(io, this.usage);
      await (await zk()).delete(words[0], flags.has("v") ? Number(flags.get("v")) : -1);
      print(io, target, { deleted: words[0] }, "");
      return 0;
    },
  },
  deleteall: {
    usage: "deleteall path",
    async run(zk, { words }, target, io) {
      if (!words[0]) return usage(io, this.usage);
      const client = await zk();
      const all: string[] = [];
      await walk(client, words[0], (p) => all.push(p));
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
    usage: "getAcl path",
    async run(zk, { words }, target, io) {
      if (!words[0]) return usage(io, this.usage);
      const { acl } = await (await zk()).getACL(words[0]);
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
    usage: "setAcl path scheme:id:perms[,…]",
    async run(zk, { words }, target, io) {
      if (words.length < 2) return usage(io, this.usage);
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
    usage: "addauth digest user:password",
    async run(zk, { words }, target, io) {
      if (words[0] !== "digest" || !words[1]) return usage(io, this.usage);
      await (await zk()).addAuth("digest", words[1]);
      print(io, target, { ok: true }, "");
      return 0;
    },
  },
  sync: {
    usage: "sync",
    async run(zk, _args, target, io) {
      const zxid = await (await zk()).sync();
      print(io, target, { zxid }, `Sync is OK (zxid 0x${zxid.toString(16)})`);
      return 0;
    },
  },
  watch: {
    usage: "watch [-R] path   (streams events until interrupted; survives reconnects)",
    async run(zk, { words, flags, signal }, target, io) {
      if (!words[0]) return usage(io, this.usage);
      const client = await zk();
      const stream = client.watch(words[0], { recursive: flags.has("R") });
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
    usage: "tree [path]",
    async run(zk, { words }, target, io) {
      const lines: string[] = [];
      await walk(await zk(), words[0] ?? "/", (p, depth) =>
        lines.push(`${"  ".repeat(depth)}${depth === 0 ? p : p.slice(p.lastIndexOf("/") + 1)}`),
      );
      print(io, target, lines, lines.join("\n"));
      return 0;
    },
  },
  ruok: {
    usage: "ruok",
    async run(_zk, _args, target, io) {
      const r = await admin(target, "ruok");
      print(io, target, r, String(r.answer));
      return 0;
    },
  },
  srvr: {
    usage: "srvr",
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
    usage: "mntr",
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

function permText(perms: number): string {
  return "rwcda"
    .split("")
    .filter((_, i) => (perms & ([1, 2, 4, 8, 16][i] ?? 0)) !== 0)
    .join("");
}

function usage(io: Io, text: string): number {
  io.err(`usage: ${text}`);
  return 2;
}
