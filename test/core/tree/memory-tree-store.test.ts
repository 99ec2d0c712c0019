// The in-memory tree store against the shared TreeStore conformance suite.

import { MemoryTreeStore } from "../../../src/core/tree/memory-tree-store.ts";
import { treeStoreConformance } from "../../conformance/tree-store.ts";

treeStoreConformance("MemoryTreeStore", async (body) => body(new MemoryTreeStore()));
