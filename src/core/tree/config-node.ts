// What /zookeeper/config holds once an ensemble's membership has changed: ZooKeeper's dynamic
// configuration format, one line per member and the zxid of the change, so getConfig and zkCli's
// `config` show the live membership. Members have no host and ports; the line names the member.

import type { Membership } from "../consensus/membership.ts";

export const configNodePath = "/zookeeper/config";

/** `server.<n>=member-<n>:participant|observer` lines, then `version=<zxid in hex>`. */
export function configNodeText(m: Membership, zxid: number): string {
  const lines = [
    ...m.voters.map((n) => `server.${n}=member-${n}:participant`),
    ...m.learners.map((n) => `server.${n}=member-${n}:observer`),
    `version=${zxid.toString(16)}`,
  ];
  return `${lines.join("\n")}\n`;
}
