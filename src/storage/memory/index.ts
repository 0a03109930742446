export { MemoryConversationStore, MemoryInboxStore, MemoryLinkStore, MemoryMessageMapStore, MemoryStores } from "./memory-stores";
