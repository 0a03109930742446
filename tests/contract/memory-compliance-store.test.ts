import { MemoryComplianceStore } from "../../src/storage/memory/memory-compliance-store";
import { complianceStoreContract } from "./compliance-store.contract";

complianceStoreContract("MemoryComplianceStore", async () => new MemoryComplianceStore());
