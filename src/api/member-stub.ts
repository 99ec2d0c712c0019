// Which member Durable Object a request goes to.

import type { Env } from "../env.ts";

/** The name of member `index` of the configured ensemble (`<ensemble>/<index>`). */
export function memberName(env: Env, index: number): string {
  return `${env.ENSEMBLE_NAME}/${index}`;
}

/** Until the ensemble replicates, every request is served by member 0. */
export function servingMember(env: Env) {
  return env.MEMBER.getByName(memberName(env, 0));
}
