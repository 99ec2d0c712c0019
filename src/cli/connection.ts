// Where the CLI connects: --url/--token flags or EDGEKEEPER_URL/EDGEKEEPER_TOKEN, defaulting to
// the local ensemble `npm start` serves.

export interface Target {
  readonly url: string;
  readonly token?: string | undefined;
  readonly json: boolean;
  /** --session-timeout <ms>: the session timeout to ask for (a long watch may want more). */
  readonly sessionTimeoutMs?: number | undefined;
}

export function targetFrom(flags: Map<string, string | true>): Target {
  const url = flagText(flags, "url") ?? process.env.EDGEKEEPER_URL ?? "http://127.0.0.1:8787";
  const token = flagText(flags, "token") ?? process.env.EDGEKEEPER_TOKEN;
  const timeout = flagText(flags, "session-timeout");
  const sessionTimeoutMs =
    timeout !== undefined && /^\d+$/.test(timeout) ? Number(timeout) : undefined;
  return { url: url.replace(/\/$/, ""), token, json: flags.has("json"), sessionTimeoutMs };
}

export function flagText(flags: Map<string, string | true>, name: string): string | undefined {
  const v = flags.get(name);
  return typeof v === "string" ? v : undefined;
}

/** Splits argv into positional words and --flags (`--name value` or `--name=value`; `-x` letters). */
export function parseArgs(
  argv: readonly string[],
  valued: ReadonlySet<string>,
): { words: string[]; flags: Map<string, string | true> } {
  const words: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.startsWith("--")) {
      const [name, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
      if (inline !== undefined) flags.set(name, inline);
      else if (valued.has(name) && i + 1 < argv.length) flags.set(name, argv[++i] as string);
      else flags.set(name, true);
    } else if (/^-[a-zA-Z]+$/.test(arg)) {
      for (const letter of arg.slice(1)) {
        if (valued.has(letter) && i + 1 < argv.length) flags.set(letter, argv[++i] as string);
        else flags.set(letter, true);
      }
    } else {
      words.push(arg);
    }
  }
  return { words, flags };
}
