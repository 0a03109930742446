import type { WhatsAppEvent } from "../../core/messages";
import type { StoredEntity } from "./entity-codec";
import type { TableAccess } from "./table-access";
import { deleteWhere, forEachRow } from "./table-purge";

/** The tables erasure reads, by role (links hold business numbers and channels, no customer's data). */
export interface ErasureTables {
  readonly links: TableAccess;
  readonly conversations: TableAccess;
  readonly threads: TableAccess;
  readonly messages: TableAccess;
  readonly inbox: TableAccess;
  readonly outbox: TableAccess;
  readonly mediaRetries: TableAccess;
}

export interface ErasureReport {
  /** The conversation keys found to be the contact's (whose rows were removed). */
  readonly conversations: readonly string[];
  /** Rows removed (or, on a dry run, that would be), per table role. */
  readonly removed: { readonly conversations: number; readonly threads: number; readonly messages: number; readonly inbox: number; readonly outbox: number };
  /** Rows left that still contain one of the contact's ids: other people's records that mention them. */
  readonly mentions: ReadonlyArray<{ readonly table: string; readonly rows: number }>;
}

/** The identifiers of a contact: as given, and what the tables tell about it (its BSUID for a number, …). */
class Identity {
  readonly ids = new Set<string>();
  readonly keys = new Set<string>();

  constructor(contact: string) {
    const trimmed = contact.trim();
    this.ids.add(trimmed);
    const digits = trimmed.replace(/[\s+().-]/g, "");
    if (/^\d{6,}$/.test(digits)) this.ids.add(digits);
    // A conversation key (`<business>|<id>` or `<business>|group:<id>`) names the contact too.
    if (trimmed.includes("|")) {
      this.keys.add(trimmed);
      this.ids.add(trimmed.slice(trimmed.indexOf("|") + 1).replace(/^group:/, ""));
    }
  }

  has(value: unknown): boolean {
    return typeof value === "string" && this.ids.has(value);
  }

  /** A conversation key is the contact's when its id part is one of theirs. */
  ownsKey(key: unknown): boolean {
    if (typeof key !== "string") return false;
    if (this.keys.has(key)) return true;
    const id = key.slice(key.indexOf("|") + 1);
    return this.ids.has(id) || (id.startsWith("group:") && this.ids.has(id.slice(6)));
  }

  /** Every string a row of the contact could hold. */
  all(): string[] {
    return [...this.ids, ...this.keys].filter((v) => v.length >= 6);
  }
}

/** True when the inbox event was written by, to or about the contact. */
function eventNames(event: WhatsAppEvent, who: Identity): boolean {
  switch (event.type) {
    case "message":
      return who.has(event.contact.phone) || who.has(event.contact.userId) || who.ownsKey(event.contact.key) || who.has(event.group);
    case "status":
      return who.has(event.recipient?.phone) || who.has(event.recipient?.userId) || who.has(event.participant) || who.has(event.group);
    case "preference":
      return who.has(event.contact.phone) || who.has(event.contact.userId);
    case "group":
      return (
        who.has(event.group) ||
        JSON.stringify(event.change)
          .split('"')
          .some((part) => who.has(part))
      );
    case "account_error":
      return false;
  }
}

/** The event an inbox row (or index row) holds, or the message a media retry row holds. */
function eventOf(row: StoredEntity, property = "event"): WhatsAppEvent | undefined {
  try {
    return typeof row[property] === "string" ? (JSON.parse(row[property]) as WhatsAppEvent) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Who `contact` is in the tables: their conversations (by key, phone or BSUID), whose rows then add the
 * ids the contact was not given by (a number's BSUID, and the other way round), and the keys the inbox
 * knows them by (a number not linked yet has no conversation). Scans the conversations and the inbox.
 */
async function identify(tables: ErasureTables, contact: string): Promise<Identity> {
  const who = new Identity(contact);
  await forEachRow(tables.conversations, "contact.find", undefined, (row) => {
    if (!(who.ownsKey(row["contact"]) || who.has(row["phone"]) || who.has(row["userId"]))) return;
    who.keys.add(String(row["contact"]));
    for (const id of [row["phone"], row["userId"]]) if (typeof id === "string" && id.length >= 6) who.ids.add(id);
  });
  await forEachRow(tables.inbox, "contact.find", undefined, (row) => {
    const event = eventOf(row);
    if (event?.type === "message" && eventNames(event, who) && !event.group) {
      who.keys.add(event.contact.key);
      for (const id of [event.contact.phone, event.contact.userId]) if (id) who.ids.add(id);
    }
  });
  return who;
}

/** The conversation keys and ids the tables know `contact` by (see `identify`). */
export async function findContact(tables: ErasureTables, contact: string): Promise<{ keys: string[]; ids: string[] }> {
  const who = await identify(tables, contact);
  return { keys: [...who.keys].sort(), ids: [...who.ids].sort() };
}

/**
 * Removes a contact's personal data from the bridge's tables: their conversations (found by key, phone
 * or BSUID, which then widen the identity), the thread index and message map rows of those
 * conversations, their outbox rows, and every inbox entry they wrote, received or are named in. Then
 * scans every table for what is left that still contains one of their ids (`mentions`: other people's
 * records, kept). `dryRun` changes nothing. Scans whole tables: an operator command, not the hot path.
 */
export async function eraseContact(tables: ErasureTables, contact: string, dryRun: boolean): Promise<ErasureReport> {
  const who = await identify(tables, contact);
  const ownsRow = (row: StoredEntity) => who.ownsKey(row["contact"]);
  const removed = {
    inbox: await deleteWhere(
      tables.inbox,
      "erase.inbox",
      undefined,
      (row) => {
        const e = eventOf(row);
        return e !== undefined && eventNames(e, who);
      },
      dryRun,
    ),
    outbox: await deleteWhere(tables.outbox, "erase.outbox", undefined, ownsRow, dryRun),
    mediaRetries: await deleteWhere(
      tables.mediaRetries,
      "erase.mediaRetries",
      undefined,
      (row) => {
        const e = eventOf(row, "message");
        return e !== undefined && eventNames(e, who);
      },
      dryRun,
    ),
    messages: await deleteWhere(tables.messages, "erase.messages", undefined, ownsRow, dryRun),
    threads: await deleteWhere(tables.threads, "erase.threads", undefined, ownsRow, dryRun),
    conversations: await deleteWhere(tables.conversations, "erase.conversations", undefined, ownsRow, dryRun),
  };
  const needles = who.all();
  const mentions: Array<{ table: string; rows: number }> = [];
  for (const table of Object.values(tables)) {
    let rows = 0;
    await forEachRow(table, "erase.check", undefined, (row) => {
      const text = JSON.stringify(row, (_, value: unknown) => (typeof value === "bigint" ? String(value) : value));
      if (needles.some((needle) => text.includes(needle))) rows++;
    });
    // On a dry run everything is still there: only what erasure would leave counts.
    if (rows > 0 && !dryRun) mentions.push({ table: table.name, rows });
  }
  return { conversations: [...who.keys].sort(), removed, mentions };
}
