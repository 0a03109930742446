import { MemoryStores } from "../../src/storage/memory/memory-stores";
import { storesContract } from "./stores.contract";

storesContract("MemoryStores", async () => new MemoryStores());
