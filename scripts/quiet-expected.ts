// Runs a command (the test runner) and hides the uncaught-exception reports that tests cause on
// purpose, so that any other one stands out. Each kind hidden is named below with why it is
// expected, and counted at the end; everything else passes through untouched, and the command's
// exit code is kept.

import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

const expected: ReadonlyArray<{ readonly name: string; readonly pattern: RegExp }> = [
  // Member.crash() (fault injection) aborts the object: workerd reports the abort once for it
  // and once for every request that was in flight there (tests crash members mid-traffic).
  { name: "injected crash", pattern: /crash injected by a test/ },
  // The HTTP availability test and the dashboard's tests mark a member down; the router retries
  // another member or reports it unreachable, but workerd still reports the refused call as
  // uncaught inside the object.
  { name: "injected member-down", pattern: /member is down \(fault injection\)/ },
  // Deleting an ensemble ends each member's object right after its storage is gone
  // (Member.destroy), so nothing of the old replica writes again; workerd reports the storage
  // work that the end cut off.
  { name: "deleted ensemble's member ended", pattern: /Error: ensemble deleted/ },
  // A restore from a backup ends each member's object once it is fenced (Member.restoreFence),
  // so no timer of the old replica writes after the reset; workerd reports the work cut off.
  { name: "restored member ended", pattern: /Error: restoring from a backup/ },
  // A member removed from its ensemble ends its object once its storage is gone (Member.retire),
  // and refuses every call after (membership.test.ts checks that it does).
  { name: "removed member ended", pattern: /Error: member removed from its ensemble/ },
  // event-transaction.test.ts aborts an object part-way through an event, as a member does when
  // a Ready throws, to show that the event's writes are discarded.
  { name: "test's aborted event", pattern: /a Ready failed part-way \(test\)/ },
];

const [command, ...args] = process.argv.slice(2);
if (!command) throw new Error("usage: quiet-expected <command> [args…]");

const counts = new Map<string, number>();
const child = spawn(command, args, { stdio: ["inherit", "pipe", "pipe"] });

/** Copies `input` to `output`, dropping expected reports and their stack lines. */
function filter(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<void> {
  let hiding = false;
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  lines.on("line", (line) => {
    // workerd's report: "uncaught exception; …" (or, for storage work cut off, "exception = …")
    // then "    at …" frames or one "stack: …" line.
    if (line.startsWith("uncaught exception") || line.startsWith("exception = ")) {
      const kind = expected.find((e) => e.pattern.test(line));
      hiding = kind !== undefined;
      if (kind) counts.set(kind.name, (counts.get(kind.name) ?? 0) + 1);
    } else if (hiding && !(line.startsWith("    at ") || line.startsWith("stack: "))) {
      hiding = false;
    }
    if (!hiding) output.write(`${line}\n`);
  });
  return new Promise((resolve) => lines.once("close", resolve));
}

const done = Promise.all([
  filter(child.stdout, process.stdout),
  filter(child.stderr, process.stderr),
]);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => child.kill(signal));
}
const code = await new Promise<number>((resolve) =>
  child.once("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))),
);
await done;
if (counts.size > 0) {
  const list = [...counts].map(([name, n]) => `${name} ×${n}`).join(", ");
  console.log(
    `hidden: expected uncaught-exception reports (${list}); see scripts/quiet-expected.ts`,
  );
}
process.exitCode = code;
