// Znode path validation, rule for rule as ZooKeeper's PathUtils.validatePath.

import { failure, type ZkFailure } from "../error-code.ts";

/**
 * Returns null when `path` is a valid znode path, else a BADARGUMENTS failure naming the rule.
 * A sequential create may end in "/" because the server appends the sequence suffix.
 */
export function validatePath(
  path: string,
  options: { sequential?: boolean } = {},
): ZkFailure | null {
  const checked = options.sequential ? `${path}1` : path;
  const bad = (why: string) =>
    failure("BADARGUMENTS", `Invalid path string "${path}": ${why}`, path);
  if (checked.length === 0) return bad("path length must be > 0");
  if (checked[0] !== "/") return bad("path must start with / character");
  if (checked.length === 1) return null;
  if (checked.endsWith("/")) return bad("path must not end with / character");

  let last = "/";
  for (let i = 1; i < checked.length; i++) {
    const c = checked[i] as string;
    const code = c.charCodeAt(0);
    const next = checked[i + 1];
    if (code === 0) return bad(`null character not allowed @${i}`);
    if (c === "/" && last === "/") return bad(`empty node name specified @${i}`);
    if (
      c === "." &&
      last === "." &&
      checked[i - 2] === "/" &&
      (next === undefined || next === "/")
    ) {
      return bad(`relative paths not allowed @${i}`);
    }
    if (c === "." && last === "/" && (next === undefined || next === "/")) {
      return bad(`relative paths not allowed @${i}`);
    }
    if (isForbiddenCodeUnit(code)) return bad(`invalid character @${i}`);
    last = c;
  }
  return null;
}

// Control characters, the C1 block, surrogates through the private use area, and the specials
// block: the UTF-16 code units ZooKeeper refuses in a path.
function isForbiddenCodeUnit(code: number): boolean {
  return (
    (code > 0x0000 && code <= 0x001f) ||
    (code >= 0x007f && code <= 0x009f) ||
    (code >= 0xd800 && code <= 0xf8ff) ||
    (code >= 0xfff0 && code <= 0xffff)
  );
}

/** The parent of a valid non-root path ("/a/b" → "/a", "/a" → "/"). */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? "/" : path.slice(0, slash);
}

/** The last segment of a valid non-root path. */
export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** `path` and each of its ancestors, deepest first, ending with "/". */
export function selfAndAncestors(path: string): string[] {
  const out = [path];
  let p = path;
  while (p !== "/") {
    p = parentOf(p);
    out.push(p);
  }
  return out;
}

/** True when `path` is `ancestor` or lies below it. */
export function isWithin(path: string, ancestor: string): boolean {
  return ancestor === "/" || path === ancestor || path.startsWith(`${ancestor}/`);
}
