// `npm run bench`: the benchmark's command line — its flags, help and usage errors parsed by the
// same library as the `edgekeeper` CLI (strict: `--help` prints help and starts nothing). The
// benchmark is a repository tool: it starts the repository's own service, so the installable
// CLI package does not carry it.

import { Command, CommanderError } from "commander";
import { runBench } from "./main.ts";

const valued: ReadonlyArray<[string, string]> = [
  ["members <n>", "ensemble size, 3 or 5 (default 3)"],
  ["sessions <n>", "closed-loop sessions per workload (default 32)"],
  ["duration <s>", "seconds measured per workload (default 10; 2 with --quick)"],
  ["warmup <s>", "seconds before measuring (default 2; 0.5 with --quick)"],
  ["value-size <bytes>", "znode data size (default 1024)"],
  ["watchers <n>", "watch workload: watchers (default 100; 32 with --quick)"],
  ["rounds <n>", "watch workload: rounds (default 50; 10 with --quick)"],
  ["workloads <list>", "comma-separated: create,set,get,mixed,seqlat,watch,multi"],
  ["compare <target>", "also run the workloads against: zookeeper"],
  ["seed <n>", "the workloads' random seed (printed; replays a run)"],
  ["scale-nodes <n>", "with --scale: znodes to load (default 1000000)"],
  ["reads <n>", "with --scale: reads after the load"],
  ["shapes <list>", "with --minimal: which shapes"],
  ["auth-digest <user:password>", "the digest identity snapshots are read with"],
  ["url <url>", "measure a running service instead of starting one"],
  ["token <token>", "its bearer token"],
];

const program = new Command("bench")
  .description(
    "Starts the local ensemble as `npm start` does (stopped again on exit or Ctrl-C), runs the " +
      "workloads and prints a table and one JSON line per workload.",
  )
  .option("--quick", "short runs")
  .option("--minimal", "only the runtime's minimal shapes (src/bench/minimal)")
  .option("--scale", "load --scale-nodes znodes and report memory and rate")
  .exitOverride()
  .showHelpAfterError("(npm run bench -- --help for the flags)");
for (const [flags, description] of valued) program.option(`--${flags}`, description);

try {
  program.parse(process.argv.slice(2), { from: "user" });
} catch (e) {
  process.exit(e instanceof CommanderError && e.exitCode === 0 ? 0 : 2);
}
const options = program.opts() as Record<string, string | boolean | undefined>;
const flags = new Map<string, string | true>();
for (const option of program.options) {
  const value = options[option.attributeName()];
  if (typeof value === "string") flags.set(option.long?.slice(2) ?? "", value);
  else if (value === true) flags.set(option.long?.slice(2) ?? "", true);
}
const io = {
  out: (text: string) => process.stdout.write(`${text}\n`),
  err: (text: string) => process.stderr.write(`${text}\n`),
};
runBench(flags, io).then(
  (code) => process.exit(code),
  (e: unknown) => {
    io.err(`bench: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
