// The two packages as a user gets them: built, packed with `npm pack`, installed from the
// tarballs into a fresh project (offline: nothing else is needed), then used with the machine's
// own Node 20 — the CLI, the SDK from a script, the SDK's types from TypeScript — from a page in
// headless Chromium (Debian's package), and from the user's own Worker in `wrangler dev`, over
// HTTP and over a service binding with RPC, all against the running service.

import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { version } from "../../src/version.ts";
import { consumerTsconfig } from "./consumer-tsconfig.ts";
import { freePort, type RunningService, startService, startServing } from "./service.ts";

const root = join(import.meta.dirname, "../..");
/** The machine's Node (20 here), not the repository's pinned Node 22 first on npm's PATH. */
const systemNode = "/usr/bin/node";
const systemPath = "/usr/local/bin:/usr/bin:/bin";
const chromiumPath = "/usr/bin/chromium";
let service: RunningService;
let project: string;
/** wrangler's dev registry for this test alone: the user's Worker finds edgekeeper there. */
const registry = mkdtempSync(join(tmpdir(), "edgekeeper-registry-"));
const tarballs: Record<string, string> = {};

beforeAll(async () => {
  execFileSync(join(root, "node_modules/.bin/node"), [join(root, "scripts/build-packages.ts")], {
    cwd: root,
  });
  const packs = mkdtempSync(join(tmpdir(), "edgekeeper-packs-"));
  for (const name of ["client", "cli"]) {
    const out = execFileSync("npm", ["pack", "--json", "--pack-destination", packs], {
      cwd: join(root, "packages", name),
      encoding: "utf8",
    });
    const [info] = JSON.parse(out) as Array<{ filename: string; unpackedSize: number }>;
    tarballs[name] = join(packs, (info as { filename: string }).filename);
    console.log(`packages/${name}: unpacked ${info?.unpackedSize} B`);
  }
  project = mkdtempSync(join(tmpdir(), "edgekeeper-user-"));
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "user-project", private: true, type: "module" }),
  );
  // The machine's npm and Node, offline: the tarballs must be all it takes.
  execFileSync(
    "npm",
    ["install", "--offline", "--no-audit", "--no-fund", tarballs.client, tarballs.cli].map(String),
    { cwd: project, env: { ...process.env, PATH: systemPath } },
  );
  service = await startService({
    env: { WRANGLER_REGISTRY_PATH: registry },
    // The page test's static server has an origin of its own.
    vars: { CORS_ORIGINS: "*" },
  });
}, 180_000);

afterAll(async () => {
  await service?.stop();
});

function run(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) =>
    execFile(
      command,
      args,
      { cwd: project, env: { ...process.env, PATH: systemPath, ...env } },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
          ms: performance.now() - started,
        }),
    ),
  );
}

describe("the packages, installed from their tarballs", () => {
  it("runs on the machine's Node 20", () => {
    const major = Number(
      execFileSync(systemNode, ["-p", "process.versions.node"], { encoding: "utf8" }).split(".")[0],
    );
    expect(major).toBeGreaterThanOrEqual(20);
    console.log(
      `system node: ${execFileSync(systemNode, ["--version"], { encoding: "utf8" }).trim()}`,
    );
    for (const name of ["client", "cli"]) {
      const manifest = JSON.parse(
        readFileSync(join(project, "node_modules/@edgekeeper", name, "package.json"), "utf8"),
      ) as { version: string; engines: { node: string } };
      expect(manifest.version).toBe(version);
      expect(manifest.engines.node).toBe(">=20");
    }
  });

  it("the CLI: npx edgekeeper with Node 20 against the running service", async () => {
    const npxVersion = await run("npx", ["--no-install", "edgekeeper", "--version"]);
    expect(npxVersion).toMatchObject({ code: 0, stdout: `${version}\n` });
    console.log(`npx edgekeeper --version: ${npxVersion.ms.toFixed(0)} ms`);
    const bin = join(project, "node_modules/.bin/edgekeeper");
    const url = { EDGEKEEPER_URL: service.url };
    expect(await run(systemNode, [bin, "create", "/pkg-cli", "from node 20"], url)).toMatchObject({
      code: 0,
      stdout: "Created /pkg-cli\n",
    });
    expect(await run(systemNode, [bin, "get", "/pkg-cli"], url)).toMatchObject({
      code: 0,
      stdout: "from node 20\n",
    });
    expect((await run(systemNode, [bin, "ls", "-l", "/"], url)).code).toBe(2);
    expect((await run(systemNode, [bin, "get", "/pkg-missing"], url)).code).toBe(1);
    const lock = await run(
      systemNode,
      [bin, "lock", "/pkg-lock", "--", "sh", "-c", 'echo "token $EDGEKEEPER_FENCING_TOKEN"'],
      url,
    );
    expect(lock.code).toBe(0);
    expect(lock.stdout).toMatch(/^token \d+\n$/);
  });

  it("the SDK and its recipes from a Node 20 script", async () => {
    writeFileSync(
      join(project, "sdk.mjs"),
      `import { EdgeKeeperClient, EdgeKeeperHttpClient, KeeperError } from "@edgekeeper/client";
import { Mutex } from "@edgekeeper/client/recipes";
const url = process.argv[2];
const http = await EdgeKeeperHttpClient.connect({ url });
await http.create("/pkg-sdk", "over http");
await http.close();
const zk = await EdgeKeeperClient.connect({ url });
const { data } = await zk.getData("/pkg-sdk");
const mutex = new Mutex(zk, "/pkg-sdk-lock");
await mutex.acquire();
const token = mutex.fencingToken;
await mutex.release();
let missing = "";
try { await zk.getData("/pkg-sdk-missing"); } catch (e) { missing = e instanceof KeeperError ? e.error : String(e); }
await zk.close();
console.log(JSON.stringify({ data: new TextDecoder().decode(data), token, missing }));
`,
    );
    // Node 20 has WebSocket behind a flag; Node 22 has it by default.
    const out = await run(systemNode, ["--experimental-websocket", "sdk.mjs", service.url]);
    expect(out.stderr.replace(/.*ExperimentalWarning.*\n|.*--trace-warnings.*\n/g, "")).toBe("");
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({
      data: "over http",
      token: expect.any(Number),
      missing: "NONODE",
    });
    // Without any WebSocket the SDK says what to do instead of failing somewhere inside.
    writeFileSync(
      join(project, "bare.mjs"),
      `import { EdgeKeeperClient } from "@edgekeeper/client";
await EdgeKeeperClient.connect({ url: process.argv[2] });
`,
    );
    const bare = await run(systemNode, ["bare.mjs", service.url]);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain("This runtime has no global WebSocket");
  });

  it("the SDK's types check in a TypeScript project", () => {
    writeFileSync(
      join(project, "typed.ts"),
      `import { EdgeKeeperClient, KeeperError, type Stat } from "@edgekeeper/client";
import { LeaderLatch, Mutex } from "@edgekeeper/client/recipes";
export async function use(url: string): Promise<number> {
  const zk = await EdgeKeeperClient.connect({ url, sessionTimeoutMs: 10_000 });
  const created: { path: string } = await zk.create("/t", "x", { mode: "ephemeral_sequential" });
  const stat: Stat = await zk.setData(created.path, "y", 0);
  const latch = new LeaderLatch(zk, "/e", "me");
  const lock = new Mutex(zk, "/l");
  if (!(await lock.acquire({ timeoutMs: 10 }))) throw new KeeperError({ code: -4, name: "CONNECTIONLOSS", message: "" });
  await latch.close();
  return stat.version + (lock.fencingToken ?? 0);
}
// @ts-expect-error: not a create mode
export const wrong = (zk: EdgeKeeperClient) => zk.create("/t", "x", { mode: "bogus" });
`,
    );
    writeFileSync(join(project, "tsconfig.json"), consumerTsconfig(["typed.ts"]));
    const tsc = join(root, "node_modules/typescript/bin/tsc");
    const result = execFileSync(systemNode, [tsc, "-p", join(project, "tsconfig.json")], {
      encoding: "utf8",
    });
    expect(result).toBe("");
  });

  it("the SDK in a browser page: headless Chromium imports the ES modules and holds a lock", async () => {
    const dist = join(project, "node_modules/@edgekeeper/client/dist");
    const page = `<!doctype html><script type="importmap">{"imports":{"@edgekeeper/client":"/sdk/index.js","@edgekeeper/client/recipes":"/sdk/recipes.js"}}</script>
<script type="module">
import { EdgeKeeperClient, EdgeKeeperHttpClient } from "@edgekeeper/client";
import { Mutex } from "@edgekeeper/client/recipes";
try {
  // Over HTTP from another origin: CORS_ORIGINS lets the page read the answers.
  const http = await EdgeKeeperHttpClient.connect({ url: ${JSON.stringify(service.url)} });
  const overHttp = await http.create("/pkg-browser-http", "fetch");
  await http.close();
  const zk = await EdgeKeeperClient.connect({ url: ${JSON.stringify(service.url)} });
  await zk.create("/pkg-browser", navigator.userAgent.includes("Chrome") ? "chrome" : "other");
  const seen = [];
  zk.getData("/pkg-browser", { watch: (e) => seen.push(e.event) });
  await zk.setData("/pkg-browser", "changed");
  const mutex = new Mutex(zk, "/pkg-browser-lock");
  await mutex.acquire();
  const token = mutex.fencingToken;
  await mutex.release();
  const { data } = await zk.getData("/pkg-browser");
  while (seen.length === 0) await new Promise((r) => setTimeout(r, 10));
  await zk.close();
  window.result = { data: new TextDecoder().decode(data), token, seen, overHttp: overHttp.path };
} catch (e) { window.result = { error: String(e) }; }
</script>`;
    const server = await serve((path) =>
      path === "/"
        ? { type: "text/html", body: page }
        : path.startsWith("/sdk/")
          ? { type: "text/javascript", body: readFileSync(join(dist, path.slice(5))) }
          : null,
    );
    const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
    try {
      const tab = await browser.newPage();
      const errors: string[] = [];
      tab.on("pageerror", (e) => errors.push(e.message));
      const address = server.address() as { port: number };
      await tab.goto(`http://127.0.0.1:${address.port}/`);
      const result = await tab.waitForFunction(
        () => (globalThis as { result?: unknown }).result,
        null,
        {
          timeout: 30_000,
        },
      );
      expect(await result.jsonValue()).toEqual({
        data: "changed",
        token: expect.any(Number),
        seen: ["NodeDataChanged"],
        overHttp: "/pkg-browser-http",
      });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      server.close();
    }
  }, 60_000);
});

describe("the interactive API reference", () => {
  it("lists every operation from the document and sends one from the page", async () => {
    const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
    try {
      const tab = await browser.newPage();
      const errors: string[] = [];
      tab.on("pageerror", (e) => errors.push(e.message));
      tab.on("requestfailed", (r) => errors.push(`${r.url()} ${r.failure()?.errorText}`));
      await tab.goto(`${service.url}/v1/docs`);
      const create = tab.locator("details.op", { hasText: "POST /v1/znodes/{path}" });
      await create.locator("summary").first().click();
      await create
        .locator("label", { hasText: "path (path, required)" })
        .locator("input")
        .fill("from-the-page");
      await create.locator("textarea").fill(JSON.stringify({ data: "clicked" }));
      await create.getByRole("button", { name: "Send" }).click();
      await expect
        .poll(() => create.locator("pre.result").textContent(), { timeout: 15_000 })
        .toMatch(/^201 Created\s+X-Zxid: \d+/);
      const doc = (await (await fetch(`${service.url}/v1/openapi.json`)).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      const operations = Object.values(doc.paths).reduce((n, m) => n + Object.keys(m).length, 0);
      expect(operations).toBeGreaterThan(20);
      expect(await tab.locator("details.op").count()).toBe(operations);
      expect(errors).toEqual([]);
      const node = await fetch(`${service.url}/v1/znodes/from-the-page`);
      expect(await node.json()).toMatchObject({ data: "clicked" });
    } finally {
      await browser.close();
    }
  }, 60_000);
});

describe("the SDK in the user's own Worker", () => {
  it("reaches edgekeeper over HTTP and over a service binding with RPC (no URL, no token)", async () => {
    const dir = join(project, "worker");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "wrangler.toml"),
      `name = "user-worker"
main = "index.ts"
compatibility_date = "2026-11-01"

[[services]]
binding = "EDGEKEEPER"
service = "edgekeeper"
entrypoint = "EdgeKeeper"
`,
    );
    writeFileSync(
      join(dir, "index.ts"),
      `import { EdgeKeeperBindingClient, EdgeKeeperHttpClient, type EdgeKeeperRpc, KeeperError } from "@edgekeeper/client";
import { Mutex } from "@edgekeeper/client/recipes";

interface Env { EDGEKEEPER: EdgeKeeperRpc; EDGEKEEPER_URL: string }

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const route = new URL(request.url).pathname;
    if (route === "/health") return new Response("ok");
    if (route === "/http") {
      const zk = await EdgeKeeperHttpClient.connect({ url: env.EDGEKEEPER_URL });
      await zk.create("/worker-http", "from a worker over http");
      const { data } = await zk.getData("/worker-http");
      await zk.close();
      return Response.json({ data: new TextDecoder().decode(data) });
    }
    const zk = new EdgeKeeperBindingClient(env.EDGEKEEPER);
    await zk.create("/worker-rpc", "from a worker over rpc");
    const { data, stat } = await zk.getData("/worker-rpc");
    let error = "";
    try { await zk.setData("/worker-rpc", "stale", stat.version + 5); } catch (e) { error = e instanceof KeeperError ? e.error : String(e); }
    const session = await zk.session();
    const lock = new Mutex(session, "/worker-lock");
    await lock.acquire();
    const token = lock.fencingToken;
    await lock.release();
    await session.close();
    return Response.json({ data: new TextDecoder().decode(data), error, token });
  },
};
`,
    );
    const port = await freePort();
    const worker = await startServing(
      join(root, "node_modules/.bin/wrangler"),
      [
        "dev",
        "--config",
        join(dir, "wrangler.toml"),
        "--port",
        String(port),
        "--ip",
        "127.0.0.1",
        "--persist-to",
        join(dir, ".state"),
        "--var",
        `EDGEKEEPER_URL:${service.url}`,
      ],
      `http://127.0.0.1:${port}`,
      "/health",
      { readyTimeoutMs: 90_000, env: { WRANGLER_REGISTRY_PATH: registry }, cwd: dir },
    );
    try {
      const overHttp = await fetch(`http://127.0.0.1:${port}/http`);
      expect(await overHttp.json()).toEqual({ data: "from a worker over http" });
      const overRpc = await fetch(`http://127.0.0.1:${port}/rpc`);
      expect(await overRpc.json()).toEqual({
        data: "from a worker over rpc",
        error: "BADVERSION",
        token: expect.any(Number),
      });
      // The same service saw both: the nodes are there over edgekeeper's own HTTP API.
      for (const path of ["/worker-http", "/worker-rpc"])
        expect((await fetch(`${service.url}/v1/znodes${path}`)).status).toBe(200);
    } finally {
      await worker.stop();
    }
  }, 120_000);
});

/** A static file server on a free loopback port. */
function serve(
  file: (path: string) => { type: string; body: string | Buffer } | null,
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    let found: { type: string; body: string | Buffer } | null = null;
    try {
      found = extname(path) === ".map" ? null : file(path);
    } catch {
      found = null;
    }
    if (!found) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": found.type }).end(found.body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}
