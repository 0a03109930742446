import { createTableComplianceStore } from "../../src/storage/table/table-compliance-store";
import { getAzurite, uniqueTablePrefix } from "../support/azurite";
import { complianceStoreContract } from "./compliance-store.contract";

describe("TableComplianceStore on Azurite", function () {
  // The first test waits for the shared Azurite to start.
  this.timeout(60_000);
  complianceStoreContract("TableComplianceStore (Azurite)", async () => {
    const { connectionString } = await getAzurite();
    return createTableComplianceStore({ connectionString, tablePrefix: uniqueTablePrefix("compliance") });
  });
});
