// The recipes: the coordination patterns people build on a coordination service.

export { Barrier, DoubleBarrier } from "./barrier.ts";
export { SharedCounter } from "./counter.ts";
export { Holding, type HoldingOptions } from "./holding.ts";
export { currentLeader, LeaderLatch } from "./leader-latch.ts";
export type { Lease } from "./lease.ts";
export { Mutex, type MutexOptions } from "./mutex.ts";
export { DistributedQueue } from "./queue.ts";
export { ReadWriteLock } from "./read-write-lock.ts";
export { Semaphore } from "./semaphore.ts";
export { type Instance, ServiceRegistry } from "./service-registry.ts";
export { type CachedNode, TreeCache } from "./tree-cache.ts";
