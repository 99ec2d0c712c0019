// A minimal ZooKeeper wire client inside workerd: one jute frame per WebSocket message, the
// handshake, requests by opcode, replies and notifications in arrival order.

import { exports } from "cloudflare:workers";
import { JuteInput, JuteOutput } from "../../src/protocol/jute/jute-input-output.ts";
import {
  readConnectResponse,
  readReplyHeader,
  writeConnectRequest,
} from "../../src/protocol/jute/zk-records.ts";
import { eventually } from "./ensemble-harness.ts";

export class ZkWire {
  /** Frames in arrival order (binary ones may come as Blobs, read asynchronously). */
  readonly frames: Array<Promise<Uint8Array | string>> = [];
  closed = false;
  #xid = 0;
  readonly ws: WebSocket;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.addEventListener("message", (e) => {
      const d = e.data as unknown;
      this.frames.push(
        typeof d === "string"
          ? Promise.resolve(d)
          : d instanceof Blob
            ? d.arrayBuffer().then((b) => new Uint8Array(b))
            : Promise.resolve(new Uint8Array(d as ArrayBuffer)),
      );
    });
    ws.addEventListener("close", () => {
      this.closed = true;
    });
  }

  static async open(member: number, headers: Record<string, string> = {}): Promise<ZkWire> {
    const res = await exports.default.fetch(
      new Request(`http://edgekeeper.test/v1/zk?member=${member}`, {
        headers: { upgrade: "websocket", ...headers },
      }),
    );
    const ws = res.webSocket;
    if (!ws) throw new Error(`no socket: ${res.status}`);
    ws.accept();
    return new ZkWire(ws);
  }

  async connect(sessionId = 0n, passwd: Uint8Array = new Uint8Array(16), lastZxidSeen = 0n) {
    const w = new JuteOutput();
    writeConnectRequest(w, {
      protocolVersion: 0,
      lastZxidSeen,
      timeOut: 30000,
      sessionId,
      passwd,
      readOnly: false,
    });
    this.ws.send(w.finish());
    const frame = await this.next();
    return readConnectResponse(new JuteInput(frame));
  }

  send(type: number, body: (w: JuteOutput) => void = () => {}): number {
    const xid = ++this.#xid;
    const w = new JuteOutput().int(xid).int(type);
    body(w);
    this.ws.send(w.finish());
    return xid;
  }

  async text(): Promise<string> {
    const f = await await eventually("a frame", async () =>
      this.frames.length > 0 ? this.frames.shift() : undefined,
    );
    if (typeof f !== "string") throw new Error("binary frame where text was expected");
    return f;
  }

  async next(): Promise<Uint8Array> {
    const f = await await eventually("a frame", async () =>
      this.frames.length > 0 ? this.frames.shift() : undefined,
    );
    if (typeof f === "string") throw new Error(`text frame: ${f}`);
    return f;
  }

  async reply() {
    const input = new JuteInput(await this.next());
    return { header: readReplyHeader(input), input };
  }
}
