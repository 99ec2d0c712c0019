// Turns the validated JSON ops of a multi (HTTP body or WebSocket frame) into the tree's write ops.

import type { ZkFailure } from "../core/error-code.ts";
import { openAcl } from "../core/tree/acl.ts";
import type { WriteOp } from "../core/tree/request.ts";
import { decodeData } from "./data-encoding.ts";
import type { MultiOpBody } from "./request-schemas.ts";

/** One validated op (a multi's, or a WebSocket frame's) as the tree's write op. */
export function writeOpOf(op: MultiOpBody): WriteOp | ZkFailure {
  // Fields are copied, not passed through: a WebSocket frame also carries its id and seq.
  if (op.op === "delete" || op.op === "check")
    return { op: op.op, path: op.path, version: op.version };
  const data = decodeData(op.data, op.encoding);
  if (!(data instanceof Uint8Array)) return data;
  return op.op === "create"
    ? {
        op: "create",
        path: op.path,
        data,
        acl: op.acl ?? openAcl,
        mode: op.mode ?? 0,
        ttlMs: op.ttlMs,
      }
    : { op: "setData", path: op.path, data, version: op.version };
}

export function multiOpsOf(body: readonly MultiOpBody[]): WriteOp[] | ZkFailure {
  const ops: WriteOp[] = [];
  for (const item of body) {
    const op = writeOpOf(item);
    if ("name" in op) return op;
    ops.push(op);
  }
  return ops;
}
