export { MemoryConversationStore, MemoryInboxStore, MemoryLinkStore, MemoryMessageMapStore, MemoryStores } from "./memory-stores";
export { MemoryOutboxStore } from "./memory-outbox-store";
