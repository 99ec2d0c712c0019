// The in-memory storage twins against the shared conformance suite.

import {
  MemoryHardStateStorage,
  MemoryLogStorage,
} from "../../../src/core/consensus/memory-storage.ts";
import {
  hardStateStorageConformance,
  logStorageConformance,
} from "../../conformance/consensus-storage.ts";

logStorageConformance("MemoryLogStorage", async (body) => body(new MemoryLogStorage()));
hardStateStorageConformance("MemoryHardStateStorage", async (body) =>
  body(new MemoryHardStateStorage()),
);
