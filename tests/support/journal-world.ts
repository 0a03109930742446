import { createHash } from "node:crypto";
import { AadObjectId, BusinessNumberId, TeamsMessageId, WaMessageId, WaPhone, WaUserId, type ContactKey } from "../../src/core/ids";
import type { JournalAuthor, JournalRecord, RawDelivery } from "../../src/core/ports/webhook-journal";
import { createBlobWebhookJournal } from "../../src/storage/blob";
import { BUSINESS, editBody, imageBody, reactionBody, signed, statusBody, textBody, type Customer } from "./webhook-bodies";

/**
 * A small journal of two UTC days written by two writers (two bridge instances), as the bridge writes it:
 * customers' webhook deliveries (signed; one customer's first day under an app secret since rotated) and
 * the bridge's records of outbound messages, statuses and a note kept in Teams. Every entry is written on
 * its own, so each is a segment of its own. Used by the verify, export and report tests.
 */

export const CURRENT_SECRET = "journal-world-current-app-secret";
export const OLD_SECRET = "journal-world-rotated-app-secret";
export const DAY1 = "2026-05-10";
export const DAY2 = "2026-05-11";
export const maria: Customer = { phone: "5511987654321", userId: "BR.1873409921457730218", name: "Maria Souza" };
export const john: Customer = { phone: "447700900123", userId: "GB.5550001112223334445", name: "John Smith" };
export const ana: JournalAuthor = { aadObjectId: AadObjectId("00000000-0000-4000-8000-0000000000a1"), name: "Ana Staff" };
export const bo: JournalAuthor = { aadObjectId: AadObjectId("00000000-0000-4000-8000-0000000000b2"), name: "Bo Staff" };
export const IMAGE_SHA256 = createHash("sha256").update("the photo").digest("base64");

export const at = (day: string, time: string) => Date.parse(`${day}T${time}Z`);
export const keyOf = (c: Customer) => `${BUSINESS}|${c.userId}` as ContactKey;
const business = BusinessNumberId(BUSINESS);
const individual = (c: Customer) => ({ kind: "individual" as const, phone: WaPhone(c.phone), userId: WaUserId(c.userId) });

type Step = { readonly delivery: RawDelivery; readonly at: number } | { readonly record: JournalRecord };

export function writerASteps(): Step[] {
  const d = (body: Buffer, when: number) => ({ delivery: signed(body, CURRENT_SECRET), at: when });
  return [
    d(textBody(maria, "wamid.in.m1", at(DAY1, "09:00:00"), "Hello, my order #4471 has not arrived <b>yet</b>"), at(DAY1, "09:00:01")),
    {
      record: {
        kind: "outbound",
        at: at(DAY1, "09:04:00"),
        business,
        conversation: keyOf(maria),
        recipient: individual(maria),
        wamids: [WaMessageId("wamid.out.m1")],
        teamsMessageId: TeamsMessageId("1778403840000"),
        author: ana,
        text: "Checking *now*",
      },
    },
    { record: { kind: "status", at: at(DAY1, "09:04:05"), wamid: WaMessageId("wamid.out.m1"), state: "sent" } },
    d(imageBody(maria, "wamid.in.m2", at(DAY1, "09:05:00"), "What arrived", IMAGE_SHA256), at(DAY1, "09:05:01")),
    d(statusBody(maria, "wamid.out.m1", at(DAY1, "09:06:00"), "read"), at(DAY1, "09:06:01")),
    {
      record: {
        kind: "internal",
        at: at(DAY1, "09:10:00"),
        conversation: keyOf(maria),
        teamsMessageId: TeamsMessageId("1778404200000"),
        author: bo,
        why: "note",
        text: "// call her back",
      },
    },
    d(reactionBody(maria, "wamid.in.m3", at(DAY1, "09:20:00"), "wamid.out.m1", "👍"), at(DAY1, "09:20:01")),
    d(editBody(maria, "wamid.in.m4", at(DAY2, "08:00:00")), at(DAY2, "08:00:01")),
    {
      record: {
        kind: "outbound",
        at: at(DAY2, "08:30:00"),
        business,
        conversation: keyOf(maria),
        recipient: individual(maria),
        wamids: [WaMessageId("wamid.out.m2")],
        teamsMessageId: TeamsMessageId("1778488200000"),
        author: ana,
        text: "Your order ships today",
        label: "template:order_update|en_US",
      },
    },
  ];
}

export function writerBSteps(): Step[] {
  return [
    { delivery: signed(textBody(john, "wamid.in.j1", at(DAY1, "10:00:00"), "Hi"), OLD_SECRET), at: at(DAY1, "10:00:01") },
    { delivery: signed(textBody(john, "wamid.in.j2", at(DAY1, "10:01:00"), "STOP"), OLD_SECRET), at: at(DAY1, "10:01:01") },
    { delivery: signed(textBody(john, "wamid.in.j3", at(DAY2, "11:00:00"), "Back again"), CURRENT_SECRET), at: at(DAY2, "11:00:01") },
    {
      record: {
        kind: "outbound",
        at: at(DAY2, "11:30:00"),
        business,
        conversation: keyOf(john),
        recipient: individual(john),
        wamids: [WaMessageId("wamid.out.j1")],
        teamsMessageId: TeamsMessageId("1778499000000"),
        author: bo,
        text: "Welcome back",
      },
    },
    { record: { kind: "status", at: at(DAY2, "11:31:00"), wamid: WaMessageId("wamid.out.j1"), state: "failed", errorCode: 131047 } },
  ];
}

/** Writes both writers' steps into `container` (each step its own segment) and seals both on close. */
export async function writeJournalWorld(connectionString: string, container: string): Promise<{ refsA: string[]; refsB: string[] }> {
  const write = async (instance: string, steps: Step[]) => {
    const journal = await createBlobWebhookJournal({ connectionString, container, writer: { instance, bootId: "boot1" }, now: () => at(DAY2, "23:00:00") });
    const refs: string[] = [];
    for (const step of steps) refs.push("record" in step ? await journal.record(step.record) : await journal.append(step.delivery, step.at));
    await journal.close();
    return refs;
  };
  return { refsA: await write("web0", writerASteps()), refsB: await write("web1", writerBSteps()) };
}
