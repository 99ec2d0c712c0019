// A raw client of the WebSocket session protocol inside workerd: frames as they arrive, requests
// matched to replies, the connect handshake.

import { exports } from "cloudflare:workers";
import { eventually } from "./ensemble-harness.ts";

export type Frame = Record<string, unknown> & { type: string };

export class SessionClient {
  readonly frames: Frame[] = [];
  readonly ws: WebSocket;
  #next = 1;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.addEventListener("message", (e) => {
      this.frames.push(JSON.parse(e.data as string) as Frame);
    });
  }

  static open(memberIndex: number, headers: Record<string, string> = {}): Promise<SessionClient> {
    return SessionClient.openAt(`/v1/session?member=${memberIndex}`, headers);
  }

  /** A session socket at `path` (another ensemble's: `/v1/e/<name>/session?member=i`). */
  static async openAt(path: string, headers: Record<string, string> = {}): Promise<SessionClient> {
    const res = await exports.default.fetch(
      new Request(`http://edgekeeper.test${path}`, {
        headers: { upgrade: "websocket", ...headers },
      }),
    );
    const ws = res.webSocket;
    if (!ws) throw new Error(`no socket: ${res.status} ${await res.text()}`);
    ws.accept();
    return new SessionClient(ws);
  }

  send(frame: Record<string, unknown>): number {
    const id = this.#next++;
    this.ws.send(JSON.stringify({ id, ...frame }));
    return id;
  }

  raw(text: string): void {
    this.ws.send(text);
  }

  /** Waits for the first frame matching `pick` that has not been taken yet, and takes it. */
  take(what: string, pick: (f: Frame) => boolean): Promise<Frame> {
    return eventually(what, async () => {
      const i = this.frames.findIndex(pick);
      if (i < 0) return undefined;
      return this.frames.splice(i, 1)[0];
    });
  }

  async request(frame: Record<string, unknown>): Promise<Frame> {
    const id = this.send(frame);
    return this.take(`reply ${id}`, (f) => f.type === "reply" && f.id === id);
  }

  async connect(extra: Record<string, unknown> = {}): Promise<Frame> {
    this.ws.send(JSON.stringify({ op: "connect", ...extra }));
    return this.take(
      "connected",
      (f) => f.type === "connected" || f.type === "session" || f.type === "reply",
    );
  }
}
