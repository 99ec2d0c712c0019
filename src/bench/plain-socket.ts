// The bench's WebSocket: one that does not offer permessage-deflate, as ZooKeeper's clients do
// not compress either.
//
// Node's global WebSocket always offers compression, and locally Miniflare's own entry Worker
// (its compatibility date, not edgekeeper's) accepts the offer for the whole ensemble, so every
// frame would be deflated on the members' one thread: 6–7 % of it in a create profile
// (docs/performance.md). A deployed Worker declines it (`no_web_socket_compression`).

import NodeWebSocket from "ws";

export function plainSocket(url: string): WebSocket {
  return new NodeWebSocket(url, { perMessageDeflate: false }) as unknown as WebSocket;
}
