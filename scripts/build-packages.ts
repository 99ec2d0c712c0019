// Builds the two installable packages from src/: @edgekeeper/client (the SDK and its recipes:
// ES modules for Node ≥ 20, Workers and browsers, with type declarations) and @edgekeeper/cli
// (the `edgekeeper` command, one self-contained file for Node ≥ 20). `npm pack` in
// packages/client and packages/cli then makes the tarballs.

import { execFileSync } from "node:child_process";
import { existsSync, globSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { build } from "esbuild";

const root = join(import.meta.dirname, "..");
const clientDir = join(root, "packages/client");
const cliDir = join(root, "packages/cli");

rmSync(join(clientDir, "dist"), { recursive: true, force: true });
rmSync(join(cliDir, "dist"), { recursive: true, force: true });

// The SDK: two entry points sharing one chunk, so `instanceof KeeperError` holds across them.
await build({
  entryPoints: {
    index: join(root, "src/client/index.ts"),
    recipes: join(root, "src/client/recipes/index.ts"),
  },
  outdir: join(clientDir, "dist"),
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  chunkNames: "shared-[hash]",
  logLevel: "warning",
});

// Its declarations: tsc over the same sources, then only the files the two entry points reach,
// with the sources' `.ts` specifiers pointing at the emitted names.
execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", join(clientDir, "tsconfig.json")], {
  stdio: "inherit",
});
const typesDir = join(clientDir, "dist/types");
const entries = ["client/index.d.ts", "client/recipes/index.d.ts"].map((f) => join(typesDir, f));
const reached = new Set<string>();
const pending = [...entries];
while (pending.length > 0) {
  const file = pending.pop() as string;
  if (reached.has(file)) continue;
  reached.add(file);
  let text = readFileSync(file, "utf8");
  for (const m of text.matchAll(/from "([^"]+)"|import\("([^"]+)"\)/g)) {
    const spec = (m[1] ?? m[2]) as string;
    if (!spec.startsWith(".")) throw new Error(`${relative(root, file)} imports ${spec}`);
    const target = resolve(dirname(file), spec.replace(/\.ts$/, ".d.ts"));
    if (!existsSync(target)) throw new Error(`${relative(root, file)}: ${spec} not emitted`);
    pending.push(target);
  }
  text = text.replace(/(from "|import\(")(\.[^"]+)\.ts"/g, '$1$2.js"');
  writeFileSync(file, text);
}
for (const file of globSync("**/*.d.ts", { cwd: typesDir }).map((f) => join(typesDir, f)))
  if (!reached.has(file)) rmSync(file);
execFileSync("find", [typesDir, "-type", "d", "-empty", "-delete"]);

// The CLI: one file with the SDK, commander and (for Node 20, which has no global WebSocket) ws.
await build({
  entryPoints: [join(root, "src/cli/main.ts")],
  outfile: join(cliDir, "dist/edgekeeper.js"),
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // ws's optional native speed-ups are not needed.
  external: ["bufferutil", "utf-8-validate"],
  banner: {
    // (The source's own `#!/usr/bin/env node` line stays first.)
    js: [
      // Bundled CommonJS (commander, ws) calls require() for Node's built-ins.
      'import { createRequire as __edgekeeperRequire } from "node:module";',
      "const require = __edgekeeperRequire(import.meta.url);",
    ].join("\n"),
  },
  logLevel: "warning",
});
// What the bundle carries of other people's code, with their licenses (both MIT).
writeFileSync(
  join(cliDir, "dist/THIRD_PARTY_LICENSES.md"),
  ["commander", "ws"]
    .map((name) => {
      const pkg = JSON.parse(
        readFileSync(join(root, "node_modules", name, "package.json"), "utf8"),
      );
      const license = readFileSync(join(root, "node_modules", name, "LICENSE"), "utf8");
      return `# ${name} ${pkg.version}\n\n${license.trim()}\n`;
    })
    .join("\n"),
);

for (const dir of [clientDir, cliDir]) {
  const files = globSync("dist/**/*", { cwd: dir }).filter((f) => statSync(join(dir, f)).isFile());
  const bytes = files.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
  console.log(`${relative(root, dir)}: ${files.length} files, ${(bytes / 1024).toFixed(1)} KiB`);
}
