// Shell completion scripts for bash, zsh and fish, written from the parser's own list of
// commands and flags (so they never drift from it): commands, then each command's flags.

export const shells = ["bash", "zsh", "fish"] as const;

export interface Completions {
  readonly globalFlags: readonly string[];
  /** Global flags that take a value: the word after one is not a command. */
  readonly valuedGlobalFlags: readonly string[];
  readonly commands: ReadonlyArray<{
    readonly name: string;
    readonly summary: string;
    readonly flags: readonly string[];
  }>;
}

export function completionScript(shell: (typeof shells)[number], c: Completions): string {
  if (shell === "bash") return bash(c);
  if (shell === "zsh") return zsh(c);
  return fish(c);
}

function bash(c: Completions): string {
  const cases = c.commands
    .map((cmd) => `    ${cmd.name}) words="${[...cmd.flags, ...c.globalFlags].join(" ")}" ;;`)
    .join("\n");
  return `# edgekeeper completion for bash: source <(edgekeeper completion bash)
_edgekeeper() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd="" words i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${c.valuedGlobalFlags.join("|") || "--"}) ((i++)) ;;
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$cmd" in
    "") words="${[...c.commands.map((x) => x.name), ...c.globalFlags].join(" ")}" ;;
${cases}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _edgekeeper edgekeeper
`;
}

function zsh(c: Completions): string {
  const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  const described = c.commands
    .map((cmd) => `    ${quote(`${cmd.name}:${cmd.summary.replace(/:/g, "\\:")}`)}`)
    .join("\n");
  const cases = c.commands
    .map((cmd) => `    ${cmd.name}) compadd -- ${[...cmd.flags, ...c.globalFlags].join(" ")} ;;`)
    .join("\n");
  return `#compdef edgekeeper
# edgekeeper completion for zsh: source <(edgekeeper completion zsh)
_edgekeeper() {
  local -a commands
  commands=(
${described}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case "\${words[2]}" in
${cases}
  esac
}
if (( $+functions[compdef] )); then compdef _edgekeeper edgekeeper; fi
`;
}

function fish(c: Completions): string {
  const quote = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  const lines = [
    "# edgekeeper completion for fish: edgekeeper completion fish | source",
    "complete -c edgekeeper -f",
  ];
  for (const cmd of c.commands)
    lines.push(
      `complete -c edgekeeper -n __fish_use_subcommand -a ${cmd.name} -d ${quote(cmd.summary)}`,
    );
  for (const cmd of c.commands)
    for (const flag of cmd.flags) {
      const option = flag.startsWith("--") ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`;
      lines.push(`complete -c edgekeeper -n '__fish_seen_subcommand_from ${cmd.name}' ${option}`);
    }
  return `${lines.join("\n")}\n`;
}
