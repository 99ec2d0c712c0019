// The per-session ordering both socket protocols keep (ZooKeeper's client-order guarantee):
// replies leave in request order; a write reaching the leader is proposed at once so a session's
// writes pipeline, while anything else starts only after the previous request was answered, so
// it sees that request's effect.

export interface Ordered {
  tail: Promise<void>;
}

/** Runs one request under the session's order and sends its reply in turn. */
export function inOrder<T>(
  conn: Ordered,
  startNow: boolean,
  run: () => Promise<T>,
  send: (reply: T) => void,
): Promise<void> {
  const reply = startNow ? run() : conn.tail.then(run, run);
  const deliver = () => reply.then(send);
  conn.tail = conn.tail.then(deliver, deliver);
  return conn.tail;
}
