// The shapes of the API's answers that the dashboard reads: the server's zod schemas are the one
// definition (src/protocol/response-schemas.ts; type-only imports, nothing of them is bundled).
// The member status is a server type with Workers types behind it, so its fields read here are
// named again below.

import type { z } from "zod";
import type { TrafficReading } from "../durable-objects/traffic-meter.ts";
import type {
  aclAnswerSchema,
  dataAnswerSchema,
  sessionsSchema,
  statSchema,
  watchAnswerSchema,
  whoamiSchema,
} from "../src/protocol/response-schemas.ts";

export type Whoami = z.infer<typeof whoamiSchema>;
export type Stat = z.infer<typeof statSchema>;
export type ZnodeData = z.infer<typeof dataAnswerSchema>;
export type ZnodeAcl = z.infer<typeof aclAnswerSchema>;
export type AclEntry = ZnodeAcl["acl"][number];
export type SessionsPage = z.infer<typeof sessionsSchema>;
export type SessionRow = SessionsPage["sessions"][number];
export type WatchEvent = z.infer<typeof watchAnswerSchema>["events"][number];

/** A member in /v1/admin/ensemble: its status (durable-objects/member-status.ts) or an error. */
export interface MemberView {
  readonly member: number;
  readonly reachable: boolean;
  readonly error?: string;
  readonly role?: string;
  /** The configuration in force at this member: an observer is one of its learners. */
  readonly learners?: readonly number[];
  readonly term?: number;
  readonly leader?: number | null;
  readonly commitIndex?: number;
  readonly appliedIndex?: number;
  readonly storageBytes?: number;
  readonly nodeCount?: number;
  readonly sessions?: number;
  readonly connections?: number;
  readonly watches?: number;
  readonly quiescent?: boolean;
  readonly caughtUp?: boolean;
  readonly heardFromMs?: Readonly<Record<string, number>>;
  readonly traffic?: TrafficReading;
}

export interface EnsembleView {
  readonly name: string;
  readonly members: MemberView[];
  readonly atMs: number;
}
