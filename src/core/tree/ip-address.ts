// IPv4/IPv6 address patterns for the `ip` ACL scheme ("addr" or "addr/bits").

interface IpPattern {
  readonly bytes: Uint8Array;
  readonly bits: number;
}

/** Parses "10.0.0.0/8", "::1" or "fd00::/8"; null when malformed. */
export function parseIpPattern(text: string): IpPattern | null {
  const slash = text.indexOf("/");
  const addr = slash < 0 ? text : text.slice(0, slash);
  const bytes = parseIp(addr);
  if (bytes === null) return null;
  const maxBits = bytes.length * 8;
  if (slash < 0) return { bytes, bits: maxBits };
  const bitsText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return null;
  const bits = Number(bitsText);
  return bits <= maxBits ? { bytes, bits } : null;
}

/** True when `address` (a client's ip auth id) falls inside `pattern`. */
export function ipMatches(pattern: string, address: string): boolean {
  const p = parseIpPattern(pattern);
  const a = parseIp(address);
  if (p === null || a === null || a.length !== p.bytes.length) return false;
  for (let bit = 0; bit < p.bits; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((a[byte] as number) & mask) !== ((p.bytes[byte] as number) & mask)) return false;
  }
  return true;
}

export function parseIp(text: string): Uint8Array | null {
  return text.includes(":") ? parseIpv6(text) : parseIpv4(text);
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string;
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    out[i] = Number(part);
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  const words: number[] = [];
  for (const g of [...head, ...tail]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
  }
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  for (const g of head) words.push(Number.parseInt(g, 16));
  for (let i = 0; i < missing; i++) words.push(0);
  for (const g of tail) words.push(Number.parseInt(g, 16));
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}
