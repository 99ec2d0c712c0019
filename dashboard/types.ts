// The shapes of the API's answers that the dashboard reads (the server's schemas are the truth:
// src/protocol/response-schemas.ts and durable-objects/member-status.ts).

export interface Whoami {
  readonly auth: "on" | "off";
  readonly name: string;
  readonly scope: "read" | "write" | "admin";
}

export interface TrafficBucket {
  readonly startMs: number;
  readonly writes: number;
  readonly reads: number;
  readonly writeMsSum: number;
  readonly writeMsMax: number;
}

export interface MemberView {
  readonly member: number;
  readonly reachable: boolean;
  readonly error?: string;
  readonly role?: string;
  readonly term?: number;
  readonly leader?: number | null;
  readonly commitIndex?: number;
  readonly appliedIndex?: number;
  readonly lastIndex?: number;
  readonly storageBytes?: number;
  readonly nodeCount?: number;
  readonly sessions?: number;
  readonly connections?: number;
  readonly watches?: number;
  readonly quiescent?: boolean;
  readonly caughtUp?: boolean;
  readonly heardFromMs?: Readonly<Record<string, number>>;
  readonly traffic?: {
    readonly bucketMs: number;
    readonly nowMs: number;
    readonly buckets: TrafficBucket[];
  };
}

export interface EnsembleView {
  readonly name: string;
  readonly members: MemberView[];
  readonly atMs: number;
}

export interface Stat {
  readonly czxid: number;
  readonly mzxid: number;
  readonly ctime: number;
  readonly mtime: number;
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  readonly ephemeralOwner: string;
  readonly dataLength: number;
  readonly numChildren: number;
  readonly pzxid: number;
}

export interface ZnodeData {
  readonly path: string;
  readonly data: string;
  readonly encoding: "utf8" | "base64";
  readonly stat: Stat;
}

export interface AclEntry {
  readonly perms: string | number;
  readonly scheme: string;
  readonly id: string;
}

export interface SessionRow {
  readonly sessionId: string;
  readonly sessionIdHex: string;
  readonly timeoutMs: number;
  readonly createdZxid: number;
  readonly lastZxid: number;
  readonly member: number;
  readonly connections: Array<{ member: number; protocol: string; watches: number }>;
  readonly watches: number;
  readonly ephemeralCount: number;
  readonly ephemerals: string[];
}

export interface WatchEvent {
  readonly event: string;
  readonly path: string;
  readonly zxid: number;
}
