// How znode bytes appear in JSON: readable UTF-8 text when they are valid UTF-8, base64 otherwise;
// and the reverse for request bodies.

import { failure, type ZkFailure } from "../core/error-code.ts";

export type DataEncoding = "utf8" | "base64";

export interface EncodedData {
  data: string;
  encoding: DataEncoding;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
/** One encoder for every request: making one per write showed in the members' profile. */
const utf8 = new TextEncoder();

export function encodeData(bytes: Uint8Array): EncodedData {
  try {
    return { data: strictUtf8.decode(bytes), encoding: "utf8" };
  } catch {
    return { data: toBase64(bytes), encoding: "base64" };
  }
}

/** The bytes a JSON body names: UTF-8 text by default, or base64; absent data is empty. */
export function decodeData(
  data: string | undefined,
  encoding: DataEncoding = "utf8",
): Uint8Array | ZkFailure {
  if (data === undefined) return new Uint8Array();
  if (encoding === "utf8") return utf8.encode(data);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0) {
    return failure("BADARGUMENTS", "data is not valid base64 (standard alphabet, padded)");
  }
  const binary = atob(data);
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunkSize = 0x8000;
  for (let i = 0; i < bytes.length; i += chunkSize) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunkSize));
  }
  return btoa(binary);
}
