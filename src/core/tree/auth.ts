// Turning credentials into proven identities (ZooKeeper's addauth): digest passwords are hashed
// the way ZooKeeper's DigestAuthenticationProvider does, and the configured super digest grants all.

import { base64Encode } from "../bytes/base64.ts";
import { utf8Encode } from "../bytes/utf8.ts";
import { failure, type ZkFailure } from "../error-code.ts";
import { sha1 } from "../hash/sha1.ts";
import type { AuthId } from "./acl.ts";

/** "user:password" → the id a digest ACL names: "user:base64(sha1(user:password))". */
export function digestId(credential: string): string {
  const colon = credential.indexOf(":");
  const user = colon < 0 ? credential : credential.slice(0, colon);
  return `${user}:${base64Encode(sha1(utf8Encode(credential)))}`;
}

/**
 * The identities proven by one addauth call. `superDigest` is "super:<base64hash>" (as in
 * ZooKeeper's zookeeper.DigestAuthenticationProvider.superDigest); a match also yields `super`.
 */
export function authenticate(
  scheme: string,
  credential: string,
  options: { superDigest?: string | undefined } = {},
): AuthId[] | ZkFailure {
  if (scheme !== "digest") {
    return failure("AUTHFAILED", `Authentication scheme "${scheme}" is not supported (use digest)`);
  }
  if (!/^[^:]+:/.test(credential)) {
    return failure("AUTHFAILED", "A digest credential has the form user:password");
  }
  const id = digestId(credential);
  const ids: AuthId[] = [{ scheme: "digest", id }];
  if (options.superDigest !== undefined && id === options.superDigest) {
    ids.push({ scheme: "super", id: "" });
  }
  return ids;
}
