// Which member of the ensemble is nearest to the caller, when the edge says where the request came
// from (request.cf) and members were placed in regions; otherwise none.

import { nearestMember, regionNear } from "../core/ensemble-record.ts";
import { liveMembersOf, memberIds, regionOfMember } from "./member-ids.ts";
import type { Ctx } from "./respond.ts";

export function nearestMemberOf(c: Ctx): number | undefined {
  const regions = c.env.ENSEMBLE_REGIONS ?? "[]";
  if (regions === "[]" && Object.keys(liveMembersOf(c.env).placed).length === 0) return undefined;
  const cf = c.req.raw.cf as
    | { continent?: string; country?: string; longitude?: string | number }
    | undefined;
  if (cf === undefined) return undefined;
  return nearestMember(memberIds(c.env), (n) => regionOfMember(c.env, n), regionNear(cf));
}
