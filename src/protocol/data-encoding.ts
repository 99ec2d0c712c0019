// How znode bytes appear in JSON: readable UTF-8 text when they are valid UTF-8, base64 otherwise.

export type DataEncoding = "utf8" | "base64";

export interface EncodedData {
  data: string;
  encoding: DataEncoding;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function encodeData(bytes: Uint8Array): EncodedData {
  try {
    return { data: strictUtf8.decode(bytes), encoding: "utf8" };
  } catch {
    return { data: toBase64(bytes), encoding: "base64" };
  }
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunkSize = 0x8000;
  for (let i = 0; i < bytes.length; i += chunkSize) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunkSize));
  }
  return btoa(binary);
}
