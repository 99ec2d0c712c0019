// The session protocol's most frequent frames (a read or write of one node) checked by hand before
// zod sees them. In Workers zod cannot compile its checks (the runtime forbids `new Function`), so
// its interpreted parse cost ≈ 11 µs a frame, ≈ 2 % of a create's CPU (docs/performance.md). This
// accepts only frames requestFrameSchema accepts, with the same output — a property test holds the
// two together; everything else goes to the schema, which also words the error.

import { modeNames } from "./create-mode-names.ts";
import { maxDataTextLength } from "./request-schemas.ts";
import type { RequestFrame } from "./session-frames.ts";

type Fields = Record<string, unknown>;

const readKeys = new Set(["op", "id", "path", "watch"]);
const setKeys = new Set(["op", "id", "seq", "path", "data", "encoding", "version"]);
const createKeys = new Set(["op", "id", "seq", "path", "data", "encoding", "mode"]);
const deleteKeys = new Set(["op", "id", "seq", "path", "version"]);

/** The frame as the schema would parse it, or undefined to let the schema decide. */
export function fastRequestFrame(frame: unknown): RequestFrame | undefined {
  if (typeof frame !== "object" || frame === null || Array.isArray(frame)) return undefined;
  const f = frame as Fields;
  switch (f.op) {
    case "getData":
    case "exists":
      if (!only(f, readKeys) || !isId(f.id) || !isPath(f.path)) return undefined;
      if (f.watch !== undefined && typeof f.watch !== "boolean") return undefined;
      return f as RequestFrame;
    case "setData":
      if (!only(f, setKeys) || !isWrite(f) || !isData(f)) return undefined;
      if (f.version !== undefined && !Number.isSafeInteger(f.version)) return undefined;
      return { ...f, version: f.version ?? -1 } as RequestFrame;
    case "create": {
      if (!only(f, createKeys) || !isWrite(f) || !isData(f)) return undefined;
      if (f.mode === undefined || isModeNumber(f.mode)) return f as RequestFrame;
      if (typeof f.mode !== "string" || !Object.hasOwn(modeNames, f.mode)) return undefined;
      return { ...f, mode: modeNames[f.mode as keyof typeof modeNames] } as RequestFrame;
    }
    case "delete":
      if (!only(f, deleteKeys) || !isWrite(f)) return undefined;
      if (f.version !== undefined && !Number.isSafeInteger(f.version)) return undefined;
      return { ...f, version: f.version ?? -1 } as RequestFrame;
    default:
      return undefined;
  }
}

function only(f: Fields, allowed: ReadonlySet<string>): boolean {
  for (const key in f) if (!allowed.has(key) || !Object.hasOwn(f, key)) return false;
  return true;
}

function isId(v: unknown): boolean {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

function isPath(v: unknown): boolean {
  return typeof v === "string" && v.length >= 1 && v.length <= 4096;
}

/** id, an optional positive seq and a path: what every write frame starts with. */
function isWrite(f: Fields): boolean {
  if (!isId(f.id) || !isPath(f.path)) return false;
  return f.seq === undefined || (Number.isSafeInteger(f.seq) && (f.seq as number) > 0);
}

function isData(f: Fields): boolean {
  if (f.data !== undefined && (typeof f.data !== "string" || f.data.length > maxDataTextLength))
    return false;
  return f.encoding === undefined || f.encoding === "utf8" || f.encoding === "base64";
}

function isModeNumber(v: unknown): boolean {
  return Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= 6;
}
