// Bundles the dashboard (dashboard/*.tsx, Preact) into public/dashboard/app.js, which wrangler
// serves as a static asset: `wrangler dev` and `wrangler deploy` run this first (wrangler.toml
// [build]). The members never load it — assets are not part of the Worker's script.

import { join } from "node:path";
import { build } from "esbuild";

const root = join(import.meta.dirname, "..");
const result = await build({
  entryPoints: [join(root, "dashboard/main.tsx")],
  outfile: join(root, "public/dashboard/app.js"),
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2022",
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`dashboard: public/dashboard/app.js, ${bytes} bytes`);
