import { MemoryWebhookJournal } from "../../src/storage/memory/memory-webhook-journal";
import { webhookJournalContract } from "./journal.contract";

webhookJournalContract("MemoryWebhookJournal", async () => new MemoryWebhookJournal());
