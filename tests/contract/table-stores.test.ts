import { createTableStores } from "../../src/storage/table/table-stores";
import { getAzurite, uniqueTablePrefix } from "../support/azurite";
import { storesContract } from "./stores.contract";

describe("TableStores on Azurite", function () {
  // The first test waits for the shared Azurite to start (about a second, more on a busy machine).
  this.timeout(60_000);
  storesContract("TableStores (Azurite)", async () => {
    const { connectionString } = await getAzurite();
    return createTableStores({ connectionString, tablePrefix: uniqueTablePrefix("contract") });
  });
});
