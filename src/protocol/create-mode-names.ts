// Create modes by the names the JSON APIs and the SDK spell them — apart from the request
// schemas, so the SDK's types do not pull in zod.

import { CreateMode } from "../core/tree/create-mode.ts";

export const modeNames = {
  persistent: CreateMode.PERSISTENT,
  ephemeral: CreateMode.EPHEMERAL,
  persistent_sequential: CreateMode.PERSISTENT_SEQUENTIAL,
  ephemeral_sequential: CreateMode.EPHEMERAL_SEQUENTIAL,
  container: CreateMode.CONTAINER,
  persistent_ttl: CreateMode.PERSISTENT_WITH_TTL,
  persistent_sequential_ttl: CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL,
} as const;

/** A create mode's name, as the JSON APIs and the SDK spell it. */
export type CreateModeName = keyof typeof modeNames;
