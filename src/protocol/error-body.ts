// The one JSON error shape every HTTP route answers with, and the HTTP status for each ZooKeeper error.

import { codeOf, type ErrorName, type ZkFailure } from "../core/error-code.ts";

export interface ErrorBody {
  error: { code: number; name: ErrorName; path?: string; message: string };
}

const statusByName: Partial<Record<ErrorName, number>> = {
  BADARGUMENTS: 400,
  MARSHALLINGERROR: 400,
  INVALIDACL: 400,
  NOCHILDRENFOREPHEMERALS: 400,
  AUTHFAILED: 401,
  NOAUTH: 403,
  NONODE: 404,
  UNKNOWNSESSION: 404,
  NODEEXISTS: 409,
  NOTEMPTY: 409,
  SESSIONEXPIRED: 410,
  COMPACTED: 410,
  BADVERSION: 412,
  QUOTAEXCEEDED: 413,
  THROTTLEDOP: 429,
  UNIMPLEMENTED: 501,
  CONNECTIONLOSS: 503,
  OPERATIONTIMEOUT: 503,
  NEWCONFIGNOQUORUM: 503,
  RECONFIGINPROGRESS: 409,
  REQUESTTIMEOUT: 504,
};

/** The HTTP status a failure is answered with; anything unlisted is a server-side fault (500). */
export function httpStatusOf(name: ErrorName): number {
  return statusByName[name] ?? 500;
}

export function errorBody(f: ZkFailure): ErrorBody {
  const body: ErrorBody = { error: { code: codeOf(f.name), name: f.name, message: f.message } };
  if (f.path !== undefined) body.error.path = f.path;
  return body;
}
