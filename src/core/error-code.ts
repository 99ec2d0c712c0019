// ZooKeeper's error codes (KeeperException.Code), the vocabulary every layer reports failures in.

export const ErrorCode = {
  OK: 0,
  SYSTEMERROR: -1,
  RUNTIMEINCONSISTENCY: -2,
  DATAINCONSISTENCY: -3,
  CONNECTIONLOSS: -4,
  MARSHALLINGERROR: -5,
  UNIMPLEMENTED: -6,
  OPERATIONTIMEOUT: -7,
  BADARGUMENTS: -8,
  UNKNOWNSESSION: -12,
  NEWCONFIGNOQUORUM: -13,
  RECONFIGINPROGRESS: -14,
  APIERROR: -100,
  NONODE: -101,
  NOAUTH: -102,
  BADVERSION: -103,
  NOCHILDRENFOREPHEMERALS: -108,
  NODEEXISTS: -110,
  NOTEMPTY: -111,
  SESSIONEXPIRED: -112,
  INVALIDCALLBACK: -113,
  INVALIDACL: -114,
  AUTHFAILED: -115,
  SESSIONMOVED: -118,
  NOTREADONLY: -119,
  EPHEMERALONLOCALSESSION: -120,
  NOWATCHER: -121,
  REQUESTTIMEOUT: -122,
  RECONFIGDISABLED: -123,
  SESSIONCLOSEDREQUIRESASLAUTH: -124,
  QUOTAEXCEEDED: -125,
  THROTTLEDOP: -127,
  /**
   * edgekeeper's own, outside ZooKeeper's range: a watch asked to resume from a zxid older than
   * the retained change history. The client must re-read instead of trusting it missed nothing.
   */
  COMPACTED: -1000,
} as const;

export type ErrorName = keyof typeof ErrorCode;

/** A failure as ZooKeeper would report it, plus the path it concerns (when there is one). */
export interface ZkFailure {
  readonly name: ErrorName;
  readonly path?: string;
  readonly message: string;
}

/** Builds a failure; the numeric code is always derived from the name so the two cannot disagree. */
export function failure(name: ErrorName, message: string, path?: string): ZkFailure {
  return path === undefined ? { name, message } : { name, message, path };
}

export function codeOf(name: ErrorName): number {
  return ErrorCode[name];
}
