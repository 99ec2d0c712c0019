// Runs the scenario scripts in transcripts/: each "> command" line is followed by the output it
// must print. UPDATE_TRANSCRIPTS=1 rewrites the expected output (review the diff before keeping it).

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TranscriptCluster } from "./transcript-cluster.ts";

const dir = join(import.meta.dirname, "transcripts");

describe("consensus transcripts", () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".txt"))) {
    it(file.replace(/\.txt$/, ""), () => {
      const lines = readFileSync(join(dir, file), "utf8").split("\n");
      const cluster = new TranscriptCluster();
      const rewritten: string[] = [];
      const expected: string[] = [];
      const actual: string[] = [];
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i] as string;
        if (!line.startsWith("> ")) {
          if (!line.startsWith("#") && line.trim() !== "") continue;
          rewritten.push(line);
          continue;
        }
        rewritten.push(line);
        const output = cluster.run(line.slice(2));
        rewritten.push(...output);
        let j = i + 1;
        const want: string[] = [];
        while (
          j < lines.length &&
          !lines[j]?.startsWith("> ") &&
          !lines[j]?.startsWith("#") &&
          lines[j]?.trim() !== ""
        ) {
          want.push(lines[j] as string);
          j++;
        }
        expected.push(line, ...want);
        actual.push(line, ...output);
      }
      if (process.env.UPDATE_TRANSCRIPTS) writeFileSync(join(dir, file), rewritten.join("\n"));
      else expect(actual.join("\n")).toBe(expected.join("\n"));
    });
  }
});
