// ZooKeeper's CreateMode flags and what each one means.

export interface CreateModeTraits {
  readonly ephemeral: boolean;
  readonly sequential: boolean;
  readonly container: boolean;
  readonly ttl: boolean;
}

export const CreateMode = {
  PERSISTENT: 0,
  EPHEMERAL: 1,
  PERSISTENT_SEQUENTIAL: 2,
  EPHEMERAL_SEQUENTIAL: 3,
  CONTAINER: 4,
  PERSISTENT_WITH_TTL: 5,
  PERSISTENT_SEQUENTIAL_WITH_TTL: 6,
} as const;

const traits: readonly CreateModeTraits[] = [
  { ephemeral: false, sequential: false, container: false, ttl: false },
  { ephemeral: true, sequential: false, container: false, ttl: false },
  { ephemeral: false, sequential: true, container: false, ttl: false },
  { ephemeral: true, sequential: true, container: false, ttl: false },
  { ephemeral: false, sequential: false, container: true, ttl: false },
  { ephemeral: false, sequential: false, container: false, ttl: true },
  { ephemeral: false, sequential: true, container: false, ttl: true },
];

/** The traits of a flag value, or undefined for a flag ZooKeeper does not define. */
export function createModeTraits(flag: number): CreateModeTraits | undefined {
  return Number.isInteger(flag) ? traits[flag] : undefined;
}

/** ZooKeeper's sequence suffix: String.format("%010d", n) of a signed 32-bit counter. */
export function sequenceSuffix(n: number): string {
  const digits = String(Math.abs(n));
  return n < 0 ? `-${digits.padStart(9, "0")}` : digits.padStart(10, "0");
}
