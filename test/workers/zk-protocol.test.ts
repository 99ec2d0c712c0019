// ZooKeeper's binary protocol on /v1/zk, spoken by a minimal jute client inside workerd: the
// handshake, replies in request order, notifications (xid -1) with their zxid before the reply
// that reveals the change, multi's error encoding, session resume, four-letter words.

import { describe, expect, it } from "vitest";
import type { JuteOutput } from "../../src/protocol/jute/jute-input-output.ts";
import { OpCode, readStat } from "../../src/protocol/jute/zk-records.ts";
import { stableLeader } from "./ensemble-harness.ts";
import { ZkWire } from "./zk-wire.ts";

const acl = (w: JuteOutput) =>
  w.vector([{ perms: 31, scheme: "world", id: "anyone" }], (o, a) =>
    o.int(a.perms).string(a.scheme).string(a.id),
  );
const create =
  (path: string, data: string, flags = 0) =>
  (w: JuteOutput) =>
    acl(w.string(path).buffer(new TextEncoder().encode(data))).int(flags);

describe("ZooKeeper protocol on /v1/zk", () => {
  it("handshakes, answers in order, and pushes notifications before the reply that reveals them", async () => {
    await stableLeader();
    const zk = await ZkWire.open(1);
    const hello = await zk.connect();
    expect(hello.timeOut).toBe(30000);
    expect(hello.sessionId).not.toBe(0n);
    expect(hello.passwd.length).toBe(16);
    const xids = [
      zk.send(OpCode.create, create("/zk", "v0")),
      zk.send(OpCode.create2, create("/zk/s-", "", 2)),
      zk.send(OpCode.getData, (w) => w.string("/zk").bool(true)),
      zk.send(OpCode.getChildren, (w) => w.string("/zk").bool(false)),
    ];
    const replies = [];
    for (const _ of xids) replies.push(await zk.reply());
    expect(replies.map((r) => r.header.xid)).toEqual(xids);
    expect(replies.map((r) => r.header.err)).toEqual([0, 0, 0, 0]);
    expect(replies[0]?.input.text()).toBe("/zk");
    expect(replies[1]?.input.text()).toBe("/zk/s-0000000000");
    const data = replies[2]?.input;
    expect(new TextDecoder().decode(data?.buffer() ?? new Uint8Array())).toBe("v0");

    const other = await ZkWire.open(2);
    await other.connect();
    other.send(OpCode.setData, (w) =>
      w.string("/zk").buffer(new TextEncoder().encode("v1")).int(-1),
    );
    const set = await other.reply();
    const note = await zk.reply();
    expect(note.header).toMatchObject({ xid: -1, zxid: set.header.zxid, err: 0 });
    expect({ type: note.input.int(), state: note.input.int(), path: note.input.text() }).toEqual({
      type: 3,
      state: 3,
      path: "/zk",
    });
    other.ws.close();

    zk.send(OpCode.exists, (w) => w.string("/missing").bool(false));
    expect((await zk.reply()).header.err).toBe(-101);
    zk.send(OpCode.ping);
    expect((await zk.reply()).header.xid).toBe(-2);
    zk.ws.close();
  });

  it("encodes a failed multi as ZooKeeper does: header OK, every sub-result an error", async () => {
    await stableLeader();
    const zk = await ZkWire.open(0);
    await zk.connect();
    zk.send(OpCode.multi, (w) => {
      w.int(OpCode.create).bool(false).int(-1);
      create("/m1", "")(w);
      w.int(OpCode.delete).bool(false).int(-1).string("/nope").int(-1);
      w.int(-1).bool(true).int(-1);
    });
    const r = await zk.reply();
    expect(r.header.err).toBe(0);
    const results = [];
    for (;;) {
      const type = r.input.int();
      const done = r.input.bool();
      const err = r.input.int();
      if (done) break;
      results.push({ type, err, body: r.input.int() });
    }
    expect(results).toEqual([
      { type: -1, err: 0, body: 0 },
      { type: -1, err: -101, body: -101 },
    ]);
    zk.ws.close();
  });

  it("resumes a session on another member, refuses a wrong password, and answers four-letter words", async () => {
    await stableLeader();
    const a = await ZkWire.open(0);
    const hello = await a.connect();
    a.send(OpCode.create, create("/zk-eph", "", 1));
    const made = await a.reply();
    a.ws.close();
    const b = await ZkWire.open(2);
    const again = await b.connect(hello.sessionId, hello.passwd, made.header.zxid);
    expect(again.sessionId).toBe(hello.sessionId);
    expect(again.timeOut).toBeGreaterThan(0);
    b.send(OpCode.exists, (w) => w.string("/zk-eph").bool(false));
    const stat = await b.reply();
    expect(readStat(stat.input).ephemeralOwner).toBe(hello.sessionId);
    const c = await ZkWire.open(1);
    const refused = await c.connect(hello.sessionId, new Uint8Array(16).fill(1), 0n);
    expect(refused.timeOut).toBe(0);
    const probe = await ZkWire.open(1);
    probe.ws.send("ruok");
    expect(await probe.text()).toBe("imok");
    b.ws.close();
    probe.ws.close();
  });
});
