// The in-memory storage twins against the shared conformance suite.

import {
  MemoryHardStateStorage,
  MemoryLogStorage,
} from "../../../src/core/consensus/memory-storage.ts";
import {
  hardStateStorageConformance,
  logStorageConformance,
} from "../../conformance/consensus-storage.ts";

logStorageConformance("MemoryLogStorage", () => new MemoryLogStorage());
hardStateStorageConformance("MemoryHardStateStorage", () => new MemoryHardStateStorage());
