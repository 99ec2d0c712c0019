// What applying a transaction changed, in ZooKeeper's event vocabulary, stamped with its zxid.

import type { Acl } from "./acl.ts";

export type EventType = "NodeCreated" | "NodeDeleted" | "NodeDataChanged" | "NodeChildrenChanged";

/** ZooKeeper's numeric Watcher.Event.EventType codes, for the wire protocols. */
export const eventTypeCode: Readonly<Record<EventType, number>> = {
  NodeCreated: 1,
  NodeDeleted: 2,
  NodeDataChanged: 3,
  NodeChildrenChanged: 4,
};

export interface TreeEvent {
  readonly type: EventType;
  readonly path: string;
  readonly zxid: number;
  /** On NodeDeleted: the node's ACL, so a watcher's READ can be checked after the node is gone. */
  readonly acl?: readonly Acl[];
}
