// Stat as JSON: 64-bit fields that can pass 2^53 (ephemeralOwner) travel as decimal strings.

import type { Stat } from "../core/tree/stat.ts";

export type StatJson = Omit<Stat, "ephemeralOwner"> & { ephemeralOwner: string };

export function statJson(stat: Stat): StatJson {
  return { ...stat, ephemeralOwner: stat.ephemeralOwner.toString() };
}
