// The session protocol's keep-alive, exactly these bytes: a member's runtime answers `pingFrame`
// with `pongFrame` itself (Durable Objects' WebSocket auto-response), so an idle client's pings
// never wake a member. No dependencies: the SDK and the bridge import it.

export const pingFrame = '{"op":"ping"}';
export const pongFrame = '{"type":"pong"}';
