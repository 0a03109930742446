import { AadObjectId, BusinessNumberId, TeamsMessageId, WaMessageId, WaPhone, WaUserId, type ContactKey } from "../../src/core/ids";
import type { JournalRecord } from "../../src/core/ports/webhook-journal";
import { createBlobWebhookJournal } from "../../src/storage/blob";
import { BUSINESS, signed, statusBody, textBody, type Customer } from "./webhook-bodies";

/**
 * A large journal for the export's memory test, written through the journal's own port (group commit:
 * each batch of `batch` entries becomes one segment). Conversations cycle over `contacts` customers;
 * each group of four events is a message received, the reply sent, its `sent` status (a record) and its
 * `read` status (a webhook). Returns the number of events written and the contacts' phone numbers.
 */
export async function writeBulkJournal(
  connectionString: string,
  container: string,
  options: { readonly events: number; readonly contacts: number; readonly start: number; readonly batch?: number },
): Promise<{ events: number; phones: string[] }> {
  const journal = await createBlobWebhookJournal({ connectionString, container, writer: { instance: "bulk", bootId: "b1" }, now: () => options.start });
  const customers: Customer[] = Array.from({ length: options.contacts }, (_, i) => ({
    phone: `4470090${String(i).padStart(5, "0")}`,
    userId: `GB.1${String(i).padStart(16, "0")}`,
    name: `Customer ${i}`,
  }));
  const business = BusinessNumberId(BUSINESS);
  const author = { aadObjectId: AadObjectId("00000000-0000-4000-8000-0000000000a1"), name: "Ana Staff" };
  const batch = options.batch ?? 200;
  const entry = (n: number): Promise<string> => {
    const round = Math.floor(n / 4);
    const customer = customers[round % customers.length]!;
    const at = options.start + n * 1000;
    const inbound = `wamid.bulk.in.${round}`;
    const outbound = WaMessageId(`wamid.bulk.out.${round}`);
    const key = `${BUSINESS}|${customer.userId}` as ContactKey;
    switch (n % 4) {
      case 0:
        return journal.append(
          signed(
            textBody(customer, inbound, at, `Message ${round}: could you check my account and call me back this afternoon? Thanks a lot, ${customer.name}.`),
            "bulk-secret",
          ),
          at + 500,
        );
      case 1: {
        const record: JournalRecord = {
          kind: "outbound",
          at,
          business,
          conversation: key,
          recipient: { kind: "individual", phone: WaPhone(customer.phone), userId: WaUserId(customer.userId) },
          wamids: [outbound],
          teamsMessageId: TeamsMessageId(`17${n}`),
          author,
          text: `Reply ${round}: we have checked your account, everything is in order. We will call you at 3 pm.`,
        };
        return journal.record(record);
      }
      case 2:
        return journal.record({ kind: "status", at, wamid: outbound, state: "sent" });
      default:
        return journal.append(signed(statusBody(customer, outbound, at, "read"), "bulk-secret"), at + 500);
    }
  };
  for (let n = 0; n < options.events; n += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, options.events - n) }, (_, i) => entry(n + i)));
  }
  await journal.close();
  return { events: options.events, phones: customers.map((c) => c.phone) };
}
