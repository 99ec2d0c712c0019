// Guards rule 1 of the design: src/core stays pure (no clock, randomness, timers, Promises or IO).

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const coreDir = join(import.meta.dirname, "../../src/core");

const forbidden: Array<[RegExp, string]> = [
  [/\bDate\b/, "Date (time comes in as ticks)"],
  [/Math\.random/, "Math.random (use the injected seeded generator)"],
  [/\b(setTimeout|setInterval|queueMicrotask)\b/, "timers"],
  [/\b(Promise|async|await)\b/, "Promises"],
  [/\b(fetch|crypto|WebSocket|caches|process|globalThis)\b/, "host APIs"],
  [/from\s+["'](?!\.)/, "imports from outside src/core"],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
}

describe("src/core purity", () => {
  const files = sourceFiles(coreDir);

  it("has sources to check", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files.map((f) => [f.slice(coreDir.length + 1), f]))(
    "%s uses no impure API",
    (_, file) => {
      const code = withoutComments(readFileSync(file, "utf8"));
      const found = forbidden.filter(([pattern]) => pattern.test(code)).map(([, what]) => what);
      expect(found).toEqual([]);
    },
  );
});
