export { createTableStores, TableStores, type TableNames, type TableStoresOptions } from "./table-stores";
export { decodeKey, encodeKey, MAX_KEY_CHARS } from "./keys";
export { toStorageError } from "./table-errors";
