// Bad input answers the right ZooKeeper error and leaves the tree exactly as it was.

import { describe, expect, it } from "vitest";
import { WatchTable } from "../../../src/core/session/watch-table.ts";
import type { WriteRequest } from "../../../src/core/tree/request.ts";
import { enc, open, TreeHarness } from "./harness.ts";

function setup(): { h: TreeHarness; session: bigint } {
  const h = new TreeHarness({ maxDataBytes: 64 });
  const session = h.session();
  h.create("/app", "v0");
  h.create("/app/child");
  h.create("/eph", "", 1, { sessionId: session });
  return { h, session };
}

const cases: Array<[string, WriteRequest, string, bigint?]> = [
  [
    "relative path",
    { op: "create", path: "app2", data: enc(""), acl: open, mode: 0 },
    "BADARGUMENTS",
  ],
  ["trailing slash", { op: "setData", path: "/app/", data: enc(""), version: -1 }, "BADARGUMENTS"],
  ["empty segment", { op: "delete", path: "/app//child", version: -1 }, "BADARGUMENTS"],
  [
    "dot segment",
    { op: "create", path: "/app/./x", data: enc(""), acl: open, mode: 0 },
    "BADARGUMENTS",
  ],
  ["NUL", { op: "create", path: "/a\u0000b", data: enc(""), acl: open, mode: 0 }, "BADARGUMENTS"],
  [
    "control character",
    { op: "setACL", path: "/app\u001f", acl: open, version: -1 },
    "BADARGUMENTS",
  ],
  ["surrogate", { op: "check", path: "/\ud83d\ude00", version: -1 }, "BADARGUMENTS"],
  [
    "oversized data",
    { op: "setData", path: "/app", data: new Uint8Array(65), version: -1 },
    "BADARGUMENTS",
  ],
  [
    "oversized create",
    { op: "create", path: "/big", data: new Uint8Array(65), acl: open, mode: 0 },
    "BADARGUMENTS",
  ],
  ["unknown mode", { op: "create", path: "/m", data: enc(""), acl: open, mode: 9 }, "BADARGUMENTS"],
  ["wrong version", { op: "setData", path: "/app", data: enc("x"), version: 3 }, "BADVERSION"],
  ["wrong version delete", { op: "delete", path: "/app/child", version: 1 }, "BADVERSION"],
  ["wrong aversion", { op: "setACL", path: "/app", acl: open, version: 2 }, "BADVERSION"],
  ["missing node", { op: "setData", path: "/nope", data: enc("x"), version: -1 }, "NONODE"],
  [
    "missing parent",
    { op: "create", path: "/nope/x", data: enc(""), acl: open, mode: 0 },
    "NONODE",
  ],
  ["non-empty delete", { op: "delete", path: "/app", version: -1 }, "NOTEMPTY"],
  [
    "existing node",
    { op: "create", path: "/app", data: enc(""), acl: open, mode: 0 },
    "NODEEXISTS",
  ],
  [
    "child of ephemeral",
    { op: "create", path: "/eph/x", data: enc(""), acl: open, mode: 0 },
    "NOCHILDRENFOREPHEMERALS",
  ],
  [
    "bad ACL",
    {
      op: "create",
      path: "/acl",
      data: enc(""),
      acl: [{ perms: 31, scheme: "nope", id: "" }],
      mode: 0,
    },
    "INVALIDACL",
  ],
  [
    "unknown session",
    { op: "create", path: "/s", data: enc(""), acl: open, mode: 0 },
    "UNKNOWNSESSION",
    77n,
  ],
  ["unknown session close", { op: "closeSession", sessionId: 77n }, "UNKNOWNSESSION"],
  ["reserved delete", { op: "delete", path: "/zookeeper", version: -1 }, "BADARGUMENTS"],
  [
    "failing multi",
    {
      op: "multi",
      ops: [
        { op: "create", path: "/m1", data: enc(""), acl: open, mode: 0 },
        { op: "delete", path: "/app", version: -1 },
      ],
    },
    "NOTEMPTY",
  ],
];

describe("bad input", () => {
  it.each(cases)("%s → %s, tree unchanged", (_, request, expected, sessionId) => {
    const { h } = setup();
    const before = { dump: h.dump(), meta: h.tree.meta() };
    const r = h.write(request, sessionId === undefined ? {} : { sessionId });
    expect(r.ok ? "OK" : r.failure.name).toBe(expected);
    expect(!r.ok && r.failure.message.length).toBeGreaterThan(10);
    expect(h.dump()).toBe(before.dump);
    expect(h.tree.meta()).toEqual(before.meta);
    expect(h.pipeline.size).toBe(0);
  });

  it("reads of malformed paths answer BADARGUMENTS", () => {
    const { h } = setup();
    for (const path of ["", "app", "/app/", "/a\u0000"]) {
      expect(h.reads.getData(path, [])).toMatchObject({
        ok: false,
        failure: { name: "BADARGUMENTS" },
      });
      expect(h.reads.getChildren(path, [])).toMatchObject({
        ok: false,
        failure: { name: "BADARGUMENTS" },
      });
    }
  });
});

describe("events from applied transactions reach watchers by ZooKeeper's rules", () => {
  it("an expiring session's ephemerals notify data watchers on them and child watchers on the parent", () => {
    const { h, session } = setup();
    const table = new WatchTable<string>();
    table.add("data", "/eph", "data");
    table.add("kids", "/", "child");
    table.add("tree", "/", "persistentRecursive");
    const r = h.write({ op: "closeSession", sessionId: session });
    if (!r.ok) throw new Error(r.failure.message);
    const heard = table
      .triggerAll(r.events)
      .map((n) => `${n.watcher}:${n.event.type}:${n.event.path}@${n.event.zxid}`);
    expect(heard).toEqual([
      `data:NodeDeleted:/eph@${r.zxid}`,
      `tree:NodeDeleted:/eph@${r.zxid}`,
      `kids:NodeChildrenChanged:/@${r.zxid}`,
    ]);
  });
});
