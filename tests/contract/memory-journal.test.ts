import { MemoryWebhookJournal } from "../../src/storage/memory/memory-webhook-journal";
import { webhookJournalContract } from "./journal.contract";

webhookJournalContract("MemoryWebhookJournal", async (options) => new MemoryWebhookJournal(options?.now ? { now: options.now } : {}));
