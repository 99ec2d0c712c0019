// Write results and read answers as JSON (64-bit values as decimal strings).

import type { OpResult, TxnResult } from "../core/tree/apply.ts";
import { statJson } from "./stat-json.ts";

export function resultJson(result: TxnResult): Record<string, unknown> {
  switch (result.type) {
    case "create":
      return { type: "create", path: result.path, stat: statJson(result.stat) };
    case "setData":
    case "setACL":
      return { type: result.type, stat: statJson(result.stat) };
    case "multi":
      return { type: "multi", results: result.results.map((r: OpResult) => resultJson(r)) };
    case "createSession":
      return {
        type: "createSession",
        sessionId: result.sessionId.toString(),
        timeoutMs: result.timeoutMs,
      };
    case "closeSession":
      return { type: "closeSession", sessionId: result.sessionId.toString() };
    default:
      return { type: result.type };
  }
}
