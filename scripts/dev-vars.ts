// Local development's settings for `wrangler dev`: writes .dev.vars (never committed) with auth
// off, loopback client addresses and a session secret of this checkout's own, generated once.

import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const file = join(import.meta.dirname, "..", ".dev.vars");
const defaults: Array<[string, string, string]> = [
  [
    "AUTH",
    "off",
    "Token auth is off on this machine's loopback ensemble; a deployment keeps it on.",
  ],
  [
    "CLIENT_IP_SOURCE",
    "loopback",
    "wrangler dev listens on 127.0.0.1 only: every client is local.",
  ],
];
const existing = existsSync(file) ? readFileSync(file, "utf8") : "";
const has = (name: string) => new RegExp(`^${name}=`, "m").test(existing);
let added =
  existing === ""
    ? "# Local development only (wrangler dev reads this file; wrangler deploy does not).\n"
    : "";
for (const [name, value, why] of defaults) if (!has(name)) added += `# ${why}\n${name}=${value}\n`;
if (!has("SESSION_SECRET")) {
  added += `# Generated for this checkout: session passwords made locally are signed with it.\nSESSION_SECRET=${randomBytes(48).toString("base64")}\n`;
  console.log("edgekeeper: generated a local SESSION_SECRET in .dev.vars (local development only)");
}
if (added !== "")
  writeFileSync(
    file,
    `${existing}${existing === "" || existing.endsWith("\n") ? "" : "\n"}${added}`,
  );
