// Path validation against ZooKeeper's PathUtils rules.

import { describe, expect, it } from "vitest";
import { validatePath } from "../../src/core/tree/path.ts";

describe("validatePath", () => {
  it.each(["/", "/a", "/a/b", "/a.b", "/..a", "/a..", "/a/.b", "/zookeeper/quota", "/ü/日本"])(
    "accepts %j",
    (path) => {
      expect(validatePath(path)).toBeNull();
    },
  );

  it.each([
    ["", "path length must be > 0"],
    ["a", "must start with /"],
    ["/a/", "must not end with /"],
    ["//", "must not end with /"],
    ["/a//b", "empty node name"],
    ["/a/./b", "relative paths"],
    ["/a/../b", "relative paths"],
    ["/.", "relative paths"],
    ["/..", "relative paths"],
    ["/a\u0000b", "null character"],
    ["/a\u0001", "invalid character"],
    ["/a\u007f", "invalid character"],
    ["/a\u009f", "invalid character"],
    ["/a\ud83d\ude00", "invalid character"],
    ["/a\ue000", "invalid character"],
    ["/a\ufff0", "invalid character"],
  ])("rejects %j (%s)", (path, why) => {
    const result = validatePath(path);
    expect(result?.name).toBe("BADARGUMENTS");
    expect(result?.message).toContain(why);
    expect(result?.path).toBe(path);
  });

  it("lets a sequential create end in / because the server appends the suffix", () => {
    expect(validatePath("/queue/", { sequential: true })).toBeNull();
    expect(validatePath("/queue/")).not.toBeNull();
    expect(validatePath("/queue//", { sequential: true })?.name).toBe("BADARGUMENTS");
  });
});
