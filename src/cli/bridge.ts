// `edgekeeper bridge`: a local TCP listener that lets unmodified ZooKeeper clients (zkCli,
// Curator, kazoo, node-zookeeper-client) talk to edgekeeper. It splits each connection's byte
// stream into jute frames and carries them, one per binary message, over its own WebSocket to
// /v1/zk — and back. It never hides a disconnect: when either side closes, so does the other.
// It answers ZooKeeper pings itself, so an idle client costs the service nothing.

import { createServer, type Server, type Socket } from "node:net";
import { ensemblePath } from "../client/ensemble-path.ts";
import { FrameReader } from "../protocol/jute/jute-input.ts";
import { OpCode, Xid } from "../protocol/jute/zk-records.ts";
import { pingFrame, pongFrame } from "../protocol/keep-alive.ts";

/** ZooKeeper's ping: request header xid −2, opcode 11, no body. */
const pingXid = Xid.ping;
const pingOp = OpCode.ping;

const fourLetterWords = new Set([
  "ruok",
  "srvr",
  "stat",
  "mntr",
  "conf",
  "cons",
  "wchs",
  "envi",
  "dump",
  "isro",
]);

export interface BridgeOptions {
  readonly host: string;
  readonly port: number;
  /** The service's base URL (http(s)://…). */
  readonly url: string;
  readonly token?: string | undefined;
  /** An ensemble created through /v1/ensembles: its clients see only its tree, like a chroot. */
  readonly ensemble?: string | undefined;
  readonly members?: number;
  readonly log?: (line: string) => void;
}

export function startBridge(options: BridgeOptions): Promise<Server> {
  let next = 0;
  const members = options.members ?? 3;
  const server = createServer((socket) => {
    const member = next++ % members;
    bridgeConnection(socket, options, member);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      options.log?.(
        `edgekeeper bridge listening on ${options.host}:${options.port} → ${options.url}${ensemblePath("/v1/zk", options.ensemble)}`,
      );
      resolve(server);
    });
  });
}

function bridgeConnection(socket: Socket, options: BridgeOptions, member: number): void {
  const base = options.url.replace(/\/$/, "").replace(/^http/, "ws");
  const token = options.token ? `&access_token=${encodeURIComponent(options.token)}` : "";
  const ws = new WebSocket(
    `${base}${ensemblePath("/v1/zk", options.ensemble)}?member=${member}${token}`,
  );
  ws.binaryType = "arraybuffer";
  const frames = new FrameReader();
  const queued: Array<Uint8Array | string> = [];
  let first = true;
  let probe = false;
  let connected = false;
  let ended = false;
  // Closing a WebSocket that is still connecting fires its error event synchronously, which
  // would come back here: end once.
  const end = () => {
    if (ended) return;
    ended = true;
    if (!socket.destroyed) socket.end();
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close();
  };
  const forward = (m: Uint8Array | string) =>
    ws.readyState === WebSocket.OPEN ? ws.send(m) : queued.push(m);
  ws.addEventListener("open", () => {
    for (const m of queued.splice(0)) ws.send(m);
  });
  /** The newest zxid in a reply from the member, for the ping replies the bridge makes. */
  let lastZxid = 0n;
  const toClient = (payload: Uint8Array) => {
    const framed = Buffer.alloc(payload.length + 4);
    framed.writeInt32BE(payload.length, 0);
    framed.set(payload, 4);
    socket.write(framed);
  };
  ws.addEventListener("message", (e) => {
    if (typeof e.data === "string") {
      if (e.data === pongFrame) return; // the runtime's answer to our keep-alive
      // A four-letter word's answer: raw text, then the connection ends (as ZooKeeper does).
      socket.end(e.data);
      return;
    }
    const payload = new Uint8Array(e.data as ArrayBuffer);
    if (payload.length >= 16) {
      const zxid = new DataView(payload.buffer, payload.byteOffset).getBigInt64(4);
      if (zxid > lastZxid) lastZxid = zxid;
    }
    toClient(payload);
  });
  /**
   * A ZooKeeper ping (xid −2) is answered here, and the member hears a keep-alive the runtime
   * answers for it: an idle client never wakes a member. ZooKeeper's clients do not order
   * ping replies among the others (they are not queued as pending requests).
   */
  const answeredPing = (frame: Uint8Array): boolean => {
    if (frame.length !== 8) return false;
    const view = new DataView(frame.buffer, frame.byteOffset);
    if (view.getInt32(0) !== pingXid || view.getInt32(4) !== pingOp) return false;
    const reply = new Uint8Array(16);
    const out = new DataView(reply.buffer);
    out.setInt32(0, pingXid);
    out.setBigInt64(4, lastZxid);
    out.setInt32(12, 0);
    toClient(reply);
    forward(pingFrame);
    return true;
  };
  ws.addEventListener("close", end);
  ws.addEventListener("error", end);
  socket.on("data", (chunk: Buffer) => {
    if (first) {
      first = false;
      const word = chunk.subarray(0, 4).toString("latin1");
      if (chunk.length === 4 && fourLetterWords.has(word)) {
        probe = true;
        forward(word);
        return;
      }
    }
    if (probe) return;
    try {
      for (const frame of frames.push(new Uint8Array(chunk))) {
        // The connect request comes first; pings only after it.
        if (!connected) {
          connected = true;
          forward(frame);
        } else if (!answeredPing(frame)) forward(frame);
      }
    } catch (error) {
      options.log?.(
        `closing a connection: ${error instanceof Error ? error.message : String(error)}`,
      );
      end();
    }
  });
  socket.on("close", end);
  socket.on("error", end);
}
