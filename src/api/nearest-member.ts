// Which member of the ensemble is nearest to the caller, when the edge says where the request came
// from (request.cf) and the ensemble's members were placed in regions; otherwise none.

import { nearestMember, type Region, regionNear } from "../core/ensemble-record.ts";
import { liveMembersOf, memberIds } from "./member-ids.ts";
import type { Ctx } from "./respond.ts";

export function nearestMemberOf(c: Ctx): number | undefined {
  const live = liveMembersOf(c.env);
  const regions = c.env.ENSEMBLE_REGIONS ?? "[]";
  if (regions === "[]" && Object.keys(live.placed).length === 0) return undefined;
  const cf = c.req.raw.cf as
    | { continent?: string; country?: string; longitude?: string | number }
    | undefined;
  if (cf === undefined) return undefined;
  return nearestMember(
    { size: Number(c.env.ENSEMBLE_SIZE), regions: JSON.parse(regions) as Region[] },
    regionNear(cf),
    { ids: memberIds(c.env), placed: live.placed },
  );
}
