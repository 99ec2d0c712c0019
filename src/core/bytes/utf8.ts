// UTF-8 encoding for core code, which has no TextEncoder (it runs with no host types).

/** Encodes a string as UTF-8; lone surrogates become U+FFFD, as TextEncoder does. */
export function utf8Encode(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      } else {
        code = 0xfffd;
      }
    } else if (code >= 0xd800 && code <= 0xdfff) {
      code = 0xfffd;
    }
    if (code < 0x80) out.push(code);
    else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 63));
    else if (code < 0x10000) {
      out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
    } else {
      out.push(
        0xf0 | (code >> 18),
        0x80 | ((code >> 12) & 63),
        0x80 | ((code >> 6) & 63),
        0x80 | (code & 63),
      );
    }
  }
  return Uint8Array.from(out);
}

/** Decodes UTF-8; malformed sequences become U+FFFD, as TextDecoder does by default. */
export function utf8Decode(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i] as number;
    let code = 0xfffd;
    let width = 1;
    if (b0 < 0x80) {
      code = b0;
    } else if (b0 >= 0xc2 && b0 < 0xe0 && isCont(bytes[i + 1])) {
      code = ((b0 & 31) << 6) | ((bytes[i + 1] as number) & 63);
      width = 2;
    } else if (b0 >= 0xe0 && b0 < 0xf0 && isCont(bytes[i + 1]) && isCont(bytes[i + 2])) {
      const c =
        ((b0 & 15) << 12) |
        (((bytes[i + 1] as number) & 63) << 6) |
        ((bytes[i + 2] as number) & 63);
      if (c >= 0x800 && (c < 0xd800 || c > 0xdfff)) {
        code = c;
        width = 3;
      }
    } else if (
      b0 >= 0xf0 &&
      b0 < 0xf5 &&
      isCont(bytes[i + 1]) &&
      isCont(bytes[i + 2]) &&
      isCont(bytes[i + 3])
    ) {
      const c =
        ((b0 & 7) << 18) |
        (((bytes[i + 1] as number) & 63) << 12) |
        (((bytes[i + 2] as number) & 63) << 6) |
        ((bytes[i + 3] as number) & 63);
      if (c >= 0x10000 && c <= 0x10ffff) {
        code = c;
        width = 4;
      }
    }
    out += String.fromCodePoint(code);
    i += width;
  }
  return out;
}

function isCont(b: number | undefined): boolean {
  return b !== undefined && (b & 0xc0) === 0x80;
}
