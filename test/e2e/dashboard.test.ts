// The dashboard in headless Chromium (Debian's, driven by playwright-core) against the service as
// `npm start` runs it: the ensemble view, the tree browser's reads and writes, the live-events
// pane, the sessions list, a member killed through the test fault hook, the token prompt, and a
// phone-sized screen. UPDATE_SCREENSHOTS=1 saves each view's screenshot under docs/images/.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningService, startService } from "./service.ts";

const chromiumPath = "/usr/bin/chromium";
const root = join(import.meta.dirname, "../..");
const scratch = mkdtempSync(join(tmpdir(), "edgekeeper-dashboard-"));
const shots = process.env.UPDATE_SCREENSHOTS === "1" ? join(root, "docs/images") : scratch;
/** The acceptance's bound for a change to show in the tree and the live-events pane. */
const liveWithinMs = 1_000;

let service: RunningService;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  service = await startService({ vars: { FAULT_INJECTION: "on" } });
  browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on("pageerror", (e) => {
    throw new Error(`uncaught in the page: ${e.message}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function api(path: string, init: RequestInit = {}) {
  const res = await fetch(`${service.url}${path}`, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

async function shoot(p: Page, name: string) {
  await p.screenshot({ path: join(shots, `dashboard-${name}.png`), fullPage: true });
}

/** Polls `probe` until it holds; fails with `what` after `timeoutMs`. */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const count = (l: Locator, n: number, timeoutMs?: number) =>
  until(`${l} to count ${n}`, async () => (await l.count()) === n, timeoutMs);

const contains = (l: Locator, text: string, timeoutMs?: number) =>
  until(
    `${l} to contain "${text}"`,
    async () => (await l.count()) > 0 && ((await l.first().textContent()) ?? "").includes(text),
    timeoutMs,
  );

const textIs = (l: Locator, text: string, timeoutMs?: number) =>
  until(
    `${l} to read "${text}"`,
    async () => (await l.count()) > 0 && ((await l.first().textContent()) ?? "").trim() === text,
    timeoutMs,
  );

const visible = (l: Locator, timeoutMs = 10_000) =>
  l.first().waitFor({ state: "visible", timeout: timeoutMs });

const attributeIs = (l: Locator, name: string, value: string, timeoutMs?: number) =>
  until(
    `${l} to have ${name}="${value}"`,
    async () => (await l.count()) > 0 && (await l.first().getAttribute(name)) === value,
    timeoutMs,
  );

/** The dashboard at `hash`, freshly loaded. */
async function open(hash: string) {
  await page.goto(`${service.url}/dashboard/${hash}`);
}

describe("the dashboard", () => {
  it("shows the ensemble: three members, one leader, live", async () => {
    // Some traffic first, so the chart has something to draw.
    await api("/v1/znodes/app", json("POST", { data: '{"feature":"on","limit":10}' }));
    for (let i = 0; i < 20; i++) {
      await api(
        `/v1/znodes/app/job-`,
        json("POST", { data: `job ${i}`, mode: "persistent_sequential" }),
      );
      await api("/v1/znodes/app");
    }
    const started = performance.now();
    await page.goto(`${service.url}/`);
    await count(page.locator(".member"), 3, 10_000);
    await count(page.locator('.member[data-role="leader"]'), 1);
    await count(page.locator('.member[data-role="follower"]'), 2);
    const shownMs = performance.now() - started;
    const leader = (await api("/v1/admin/ensemble")).body.members as Array<{
      role: string;
      member: number;
    }>;
    const apiLeader = leader.find((m) => m.role === "leader")?.member;
    await textIs(page.getByTestId("leader"), `member ${apiLeader}`);
    await visible(page.getByText("Token auth is off"));
    // Page weight and time to first render, as this machine measures them (the note).
    // (A string: the test's TypeScript has no DOM types.)
    const weight = (await page.evaluate(`(() => {
      const nav = performance.getEntriesByType("navigation")[0];
      const assets = performance.getEntriesByType("resource").filter((r) => r.name.includes("/dashboard/"));
      const paint = performance.getEntriesByName("first-contentful-paint")[0];
      return {
        bytes: nav.encodedBodySize + assets.reduce((n, r) => n + r.encodedBodySize, 0),
        firstPaintMs: paint ? paint.startTime : -1,
      };
    })()`)) as { bytes: number; firstPaintMs: number };
    expect(weight.bytes).toBeGreaterThan(0);
    console.log(
      `dashboard first load: ${weight.bytes} bytes of HTML, script and style; first contentful paint ${weight.firstPaintMs.toFixed(0)} ms; members shown ${shownMs.toFixed(0)} ms after navigation`,
    );
    await shoot(page, "ensemble");
    // A hidden tab stops the stream (each view wakes every member); shown again, it resumes.
    const setHidden = (hidden: boolean) =>
      page.evaluate(`(() => {
        Object.defineProperty(document, "visibilityState", { value: "${hidden ? "hidden" : "visible"}", configurable: true });
        document.dispatchEvent(new Event("visibilitychange"));
      })()`);
    await setHidden(true);
    await contains(page.locator(".summary"), "Paused while this tab is hidden");
    await setHidden(false);
    await contains(page.locator(".summary"), "Live");
  });

  it("shows a write made through the API in the tree and the live-events pane within a second", async () => {
    await api("/v1/znodes/live", json("POST", { data: "v0" }));
    await open("#/tree/live");
    await visible(page.getByText("No children"));
    // The view follows the node with a long poll: give it its first poll before writing.
    await page.waitForTimeout(0);
    await textIs(page.locator("#node-title"), "/live");
    const created = await api("/v1/znodes/live/fresh", json("POST", { data: "new" }));
    expect(created.status).toBe(201);
    const answeredAt = performance.now();
    await visible(page.getByRole("link", { name: "fresh", exact: true }), liveWithinMs);
    const treeMs = performance.now() - answeredAt;

    await open("#/events");
    await page.getByLabel("Path").fill("/live");
    await page.getByRole("button", { name: "Watch" }).click();
    await contains(page.getByTestId("events-state"), "Watching");
    const set = await api("/v1/znodes/live", json("PUT", { data: "v1" }));
    const setAt = performance.now();
    const zxid = set.body.zxid as number;
    const row = page.getByTestId("events").locator("tr", { hasText: "NodeDataChanged" });
    await contains(row, String(zxid), liveWithinMs);
    console.log(
      `a write showed in the tree ${treeMs.toFixed(0)} ms and in the events pane ${(performance.now() - setAt).toFixed(0)} ms after its answer`,
    );
    await contains(row, "/live");
    await api("/v1/znodes/live/fresh", { method: "DELETE" });
    await contains(
      page.getByTestId("events").locator("tr", { hasText: "NodeDeleted" }),
      "/live/fresh",
      liveWithinMs,
    );
    await shoot(page, "events");
  });

  it("creates, sets and deletes through the UI, and the API sees each change", async () => {
    await api("/v1/znodes/ui", json("POST", { data: "" }));
    await open("#/tree/ui");
    await page.getByLabel("Name", { exact: true }).fill("made");
    await page.locator("#create-data").fill("from the UI");
    await page.getByRole("button", { name: "Create" }).click();
    await contains(page.getByTestId("notice"), "Created /ui/made");
    expect((await api("/v1/znodes/ui/made")).body).toMatchObject({
      data: "from the UI",
      stat: { version: 0 },
    });

    await page.getByRole("link", { name: "made", exact: true }).click();
    await textIs(page.locator("#node-title"), "/ui/made");
    await page.locator("#set-data").fill("changed in the UI");
    await page.getByRole("button", { name: "Save" }).click();
    await contains(page.getByTestId("notice"), "now at version 1");
    expect((await api("/v1/znodes/ui/made")).body).toMatchObject({
      data: "changed in the UI",
      stat: { version: 1 },
    });

    await page.getByRole("button", { name: "Delete /ui/made…" }).click();
    // The confirmation takes the keyboard focus to its safe answer.
    await textIs(page.locator(":focus"), "Cancel");
    await page.getByRole("button", { name: "Yes, delete it" }).click();
    await textIs(page.locator("#node-title"), "/ui");
    expect((await api("/v1/znodes/ui/made")).status).toBe(404);
  });

  it("shows a version conflict as BADVERSION and changes nothing", async () => {
    await api("/v1/znodes/conflict", json("POST", { data: '{"owner":"api"}' }));
    await open("#/tree/conflict");
    await textIs(page.getByTestId("version"), "0");
    // Someone else writes while the form still expects version 0.
    await api("/v1/znodes/conflict", json("PUT", { data: '{"owner":"someone else"}' }));
    await textIs(page.getByTestId("version"), "1");
    await page.locator("#set-data").fill('{"owner":"ui"}');
    await page.getByRole("button", { name: "Save" }).click();
    await contains(page.getByTestId("set-error"), "BADVERSION");
    await contains(page.getByTestId("set-error"), "/conflict is at version 1, not 0");
    expect((await api("/v1/znodes/conflict")).body).toMatchObject({
      data: '{"owner":"someone else"}',
      stat: { version: 1 },
    });
    await page.getByLabel("Hex").check();
    // '{"owner"' is 7b 22 6f 77 6e 65 72 22.
    await contains(page.getByTestId("data"), "00000000  7b 22 6f 77 6e 65 72 22");
    await page.getByLabel("JSON").check();
    await contains(page.getByTestId("data"), '"owner": "someone else"');
    await shoot(page, "tree");
  });

  it("pages a node's children, filters them by prefix and counts its descendants", async () => {
    const names = Array.from({ length: 250 }, (_, i) => `c-${String(i).padStart(3, "0")}`);
    const made = await api(
      "/v1/multi",
      json("POST", {
        ops: [
          { op: "create", path: "/many" },
          ...names.map((n) => ({ op: "create", path: `/many/${n}` })),
        ],
      }),
    );
    expect(made.status).toBe(200);
    await open("#/tree/many");
    const links = page.locator(".child-link");
    await count(links, 100);
    await page.getByRole("button", { name: "Load more" }).click();
    await count(links, 200);
    await page.getByRole("button", { name: "Load more" }).click();
    await count(links, 250);
    await count(page.getByRole("button", { name: "Load more" }), 0);
    await page.getByLabel("Filter by name prefix").fill("c-24");
    await count(links, 10);
    expect(await links.allTextContents()).toEqual(names.slice(240, 250));
    await page.getByLabel("Filter by name prefix").fill("c-9");
    await visible(page.getByText("No match"));
    await page.getByRole("button", { name: "Count all descendants" }).click();
    await contains(page.locator(".children"), "250 descendants");
  });

  it("lists sessions with their ephemerals, and closes one", async () => {
    const session = (await api("/v1/sessions", json("POST", { timeoutMs: 30_000 }))).body;
    const headers = {
      "content-type": "application/json",
      "x-session-id": String(session.sessionId),
      "x-session-password": String(session.password),
    };
    const lock = await api("/v1/znodes/app/lock-", {
      method: "POST",
      headers,
      body: JSON.stringify({ data: "", mode: "ephemeral_sequential" }),
    });
    expect(lock.status).toBe(201);
    const lockPath = String(lock.body.path);
    await open("#/sessions");
    const row = page.locator(`tr[data-session="${session.sessionIdHex}"]`);
    await visible(row);
    await row.locator("summary").click();
    await visible(row.getByRole("link", { name: lockPath }));
    await shoot(page, "sessions");
    // The ephemeral node names its owner.
    await row.getByRole("link", { name: lockPath }).click();
    await textIs(page.getByTestId("owner"), String(session.sessionIdHex));
    await open("#/sessions");
    await row.getByRole("button", { name: "Close…" }).click();
    await row.getByRole("button", { name: "Yes, close" }).click();
    await contains(page.getByTestId("notice"), `Closed session ${session.sessionIdHex}`);
    await count(row, 0);
    expect((await api(`/v1/znodes${lockPath}`)).status).toBe(404);
  });

  it("shows a killed member as unreachable, and the new leader", async () => {
    const before = (await api("/v1/admin/ensemble")).body.members as Array<{
      role: string;
      member: number;
    }>;
    const leader = before.find((m) => m.role === "leader")?.member as number;
    const others = before.map((m) => m.member).filter((m) => m !== leader);
    // An idle ensemble sleeps: nobody notices a dead leader until a client needs it. The client
    // here is a session served by a follower (a session's member is its id mod 3).
    let follower: Record<string, unknown> | undefined;
    while (follower === undefined) {
      const s = (await api("/v1/sessions", json("POST", { timeoutMs: 60_000 }))).body;
      if (s.member !== leader) follower = s;
    }
    await open("#/ensemble");
    await attributeIs(page.locator('.member[data-role="leader"]'), "data-member", String(leader));
    const kill = await api(
      `/v1/admin/faults?member=${leader}`,
      json("PUT", { down: true, dropTo: others, dropFrom: others }),
    );
    expect(kill.status).toBe(200);
    try {
      // Its first try finds the leader gone and starts an election (503, retry); a retry with the
      // same sequence number is applied once.
      const write = () =>
        api("/v1/znodes/after-the-leader", {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-session-id": String(follower?.sessionId),
            "x-session-password": String(follower?.password),
            "x-session-seq": "1",
          },
          body: JSON.stringify({ data: "written while a member is down" }),
        });
      await until("a write through a follower", async () => (await write()).status === 201, 30_000);
      await attributeIs(
        page.locator(`.member[data-member="${leader}"]`),
        "data-role",
        "unreachable",
        20_000,
      );
      const next = page.locator('.member[data-role="leader"]');
      await count(next, 1, 30_000);
      expect(others).toContain(Number(await next.getAttribute("data-member")));
      await shoot(page, "member-down");
    } finally {
      await api(`/v1/admin/faults?member=${leader}`, json("PUT", { down: false }));
      // The healed member learns of the new term on its next exchange: a write through it, and
      // then every member at the same applied index, leaves the ensemble whole for what follows.
      await until(
        "a write through the healed member",
        async () => (await api(`/v1/znodes/healed-${leader}`, { method: "POST" })).status < 500,
        30_000,
      );
      await until(
        "every member caught up",
        async () => {
          const members = (await api("/v1/admin/ensemble")).body.members as Array<{
            appliedIndex?: number;
          }>;
          return new Set(members.map((m) => m.appliedIndex)).size === 1;
        },
        30_000,
      );
    }
  });

  it("is usable on a phone-sized screen and from the keyboard", async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      await phone.goto(`${service.url}/dashboard/#/tree/app`);
      await textIs(phone.locator("#node-title"), "/app");
      await count(phone.locator(".child-link"), 20);
      const overflow = await phone.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      );
      expect(overflow).toBe(0);
      await shoot(phone, "phone");
      // Keyboard: the skip link first, then the views; Enter follows the focused one.
      await phone.keyboard.press("Tab");
      await textIs(phone.locator(":focus"), "Skip to content");
      let focused = "";
      for (let i = 0; i < 6 && focused !== "Sessions"; i++) {
        await phone.keyboard.press("Tab");
        focused = (await phone.locator(":focus").textContent()) ?? "";
      }
      expect(focused).toBe("Sessions");
      await phone.keyboard.press("Enter");
      await visible(phone.getByRole("heading", { name: "Sessions" }));
    } finally {
      await phone.close();
    }
  });
  it("shows another ensemble when it is picked", async () => {
    expect((await api("/v1/znodes/only-in-default", json("POST", { data: "d" }))).status).toBe(201);
    const created = await api("/v1/ensembles", json("POST", { name: "dash-b" }));
    expect(created.status).toBe(201);
    await until("a write in dash-b", async () => {
      const res = await api("/v1/e/dash-b/znodes/only-in-b", json("POST", { data: "b" }));
      return res.status === 201;
    });
    await open("#/tree");
    await page.reload();
    const picker = page.locator("#ensemble-pick");
    await visible(picker);
    await picker.selectOption("dash-b");
    await visible(page.getByRole("link", { name: "only-in-b", exact: true }));
    await count(page.getByRole("link", { name: "only-in-default", exact: true }), 0);
    await page.getByRole("link", { name: "Ensemble", exact: true }).click();
    await textIs(page.locator("#ensemble-title code"), "dash-b");
    await count(page.locator(".member"), 3);
    await picker.selectOption("default");
    await page.getByRole("link", { name: "Tree", exact: true }).click();
    await visible(page.getByRole("link", { name: "only-in-default", exact: true }));
  });
});

describe("the dashboard with tokens", () => {
  it("refuses a bad token, keeps admin views from a write token, and lets an admin in", async () => {
    const guarded = await startService({
      vars: {
        AUTH: "on",
        AUTH_TOKENS: "ops:admin:ops-token, app:write:app-token, solo-ops:admin@solo:solo-token",
      },
    });
    const tab = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    try {
      await tab.goto(`${guarded.url}/`);
      const field = tab.getByLabel("Access token");
      await field.fill("not-a-token");
      await tab.getByRole("button", { name: "Sign in" }).click();
      await contains(tab.getByRole("alert"), "AUTHFAILED: Invalid bearer token");
      await shoot(tab, "token");
      // The refused token was not kept, and it never went into the URL.
      expect(await tab.evaluate(() => sessionStorage.getItem("edgekeeper.token"))).toBeNull();
      expect(tab.url()).not.toContain("not-a-token");

      await field.fill("app-token");
      await tab.getByRole("button", { name: "Sign in" }).click();
      await contains(tab.getByRole("alert"), "NOAUTH");
      await contains(tab.getByRole("alert"), "admin scope");
      await count(tab.getByText("Token auth is off"), 0);

      await tab.getByRole("button", { name: "Sign out" }).click();
      await tab.getByLabel("Access token").fill("ops-token");
      await tab.getByRole("button", { name: "Sign in" }).click();
      await count(tab.locator(".member"), 3, 10_000);
      await visible(tab.getByText("Token ops (admin)"));

      // A token limited to one ensemble starts on it: it cannot reach the default one.
      const created = await fetch(`${guarded.url}/v1/ensembles`, {
        method: "POST",
        headers: { authorization: "Bearer ops-token", "content-type": "application/json" },
        body: JSON.stringify({ name: "solo" }),
      });
      expect(created.status).toBe(201);
      await tab.getByRole("button", { name: "Sign out" }).click();
      await tab.getByLabel("Access token").fill("solo-token");
      await tab.getByRole("button", { name: "Sign in" }).click();
      await textIs(tab.locator("#ensemble-title code"), "solo", 10_000);
      await count(tab.locator(".member"), 3, 10_000);
    } finally {
      await tab.close();
      await guarded.stop();
    }
  }, 120_000);
});
