// Turns the validated JSON ops of a multi (HTTP body or WebSocket frame) into the tree's write ops.

import type { ZkFailure } from "../core/error-code.ts";
import { openAcl } from "../core/tree/acl.ts";
import type { WriteOp } from "../core/tree/request.ts";
import { decodeData } from "./data-encoding.ts";
import type { MultiOpBody } from "./request-schemas.ts";

export function multiOpsOf(body: readonly MultiOpBody[]): WriteOp[] | ZkFailure {
  const ops: WriteOp[] = [];
  for (const op of body) {
    if (op.op === "create" || op.op === "setData") {
      const data = decodeData(op.data, op.encoding);
      if (!(data instanceof Uint8Array)) return data;
      ops.push(
        op.op === "create"
          ? {
              op: "create",
              path: op.path,
              data,
              acl: op.acl ?? openAcl,
              mode: op.mode ?? 0,
              ttlMs: op.ttlMs,
            }
          : { op: "setData", path: op.path, data, version: op.version },
      );
    } else {
      ops.push(op);
    }
  }
  return ops;
}
