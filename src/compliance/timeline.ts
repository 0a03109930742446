import { contactKeyOf, groupKeyOf, type ConversationKey } from "../core/ids";
import { conversationKeyOf, type WhatsAppEvent } from "../core/messages";
import type { InternalReplyRecord, JournalRecord, OutboundRecord, StatusRecord } from "../core/ports/webhook-journal";

/*
 * The journal as a timeline of conversations, for the operator commands that read it (export, report):
 * each received webhook body decoded into the events the bridge saw, each record of the bridge's own,
 * and the conversation each belongs to. Memory stays bounded: only the map from outbound wamids to their
 * conversation is kept (a status names a wamid, not a conversation), and the few statuses met before
 * their message.
 */

/** One entry as the journal holds it (the commands adapt their storage reader to this). */
export type SourceEntry =
  | { readonly kind: "delivery"; readonly ref: string; readonly receivedAt: number; readonly body: Buffer }
  | { readonly kind: "record"; readonly ref: string; readonly record: JournalRecord };

/** The events of a received body, as the webhook read them (src/whatsapp/meta `decodeJournaledBody`). */
export type Decode = (body: Buffer, receivedAt: number) => readonly WhatsAppEvent[];

export type TimelineEvent =
  | {
      readonly type: "inbound";
      readonly ref: string;
      readonly at: number;
      readonly receivedAt: number;
      readonly conversation?: ConversationKey;
      readonly event: WhatsAppEvent;
    }
  | { readonly type: "outbound"; readonly ref: string; readonly at: number; readonly conversation: ConversationKey; readonly record: OutboundRecord }
  | { readonly type: "status"; readonly ref: string; readonly at: number; readonly conversation?: ConversationKey; readonly record: StatusRecord }
  | { readonly type: "internal"; readonly ref: string; readonly at: number; readonly conversation: ConversationKey; readonly record: InternalReplyRecord };

/** The conversation a decoded event belongs to, when it names one (or names a wamid the bridge sent). */
function conversationOfEvent(event: WhatsAppEvent, sent: ReadonlyMap<string, ConversationKey>): ConversationKey | undefined {
  switch (event.type) {
    case "message":
      return conversationKeyOf(event);
    case "status": {
      const known = sent.get(event.id);
      if (known) return known;
      if (event.group) return groupKeyOf(event.business, event.group);
      const who = event.recipient;
      return who && (who.userId || who.phone) ? contactKeyOf(event.business, who) : undefined;
    }
    case "preference":
      return event.contact.userId || event.contact.phone ? contactKeyOf(event.business, event.contact) : undefined;
    case "group":
      return event.group ? groupKeyOf(event.business, event.group) : undefined;
    case "account_error":
      return undefined;
  }
}

/**
 * Every event of `source`, in journal order, with its conversation. A status record met before the
 * outbound record of its wamid is held and given at the end, once the whole journal has been read.
 */
export async function* timeline(source: AsyncIterable<SourceEntry>, decode: Decode): AsyncGenerator<TimelineEvent> {
  const sent = new Map<string, ConversationKey>();
  const held: Array<Extract<TimelineEvent, { type: "status" }>> = [];
  for await (const entry of source) {
    if (entry.kind === "delivery") {
      for (const event of decode(entry.body, entry.receivedAt)) {
        const conversation = conversationOfEvent(event, sent);
        yield { type: "inbound", ref: entry.ref, at: event.timestamp * 1000, receivedAt: entry.receivedAt, ...(conversation ? { conversation } : {}), event };
      }
      continue;
    }
    const record = entry.record;
    switch (record.kind) {
      case "outbound":
        for (const wamid of record.wamids) sent.set(wamid, record.conversation);
        yield { type: "outbound", ref: entry.ref, at: record.at, conversation: record.conversation, record };
        break;
      case "status": {
        const conversation = sent.get(record.wamid);
        if (conversation) yield { type: "status", ref: entry.ref, at: record.at, conversation, record };
        else held.push({ type: "status", ref: entry.ref, at: record.at, record });
        break;
      }
      case "internal":
        yield { type: "internal", ref: entry.ref, at: record.at, conversation: record.conversation, record };
        break;
    }
  }
  for (const status of held) {
    const conversation = sent.get(status.record.wamid);
    yield conversation ? { ...status, conversation } : status;
  }
}

/**
 * Which conversations belong to one person or group, given as a phone number (digits, `+` and spaces
 * allowed), a BSUID or a group id. Learns as it goes: a message from that number also names the
 * person's BSUID, so later events keyed by it match too. `seed` adds what is known beforehand (the
 * conversations table): conversation keys, and the contact's other ids.
 */
export class ContactFilter {
  private readonly ids: Set<string>;
  private readonly conversations = new Set<string>();

  constructor(contact: string, seed: { readonly keys?: readonly string[]; readonly ids?: readonly string[] } = {}) {
    const trimmed = contact.trim();
    const digits = trimmed.replace(/[\s+().-]/g, "");
    this.ids = new Set([trimmed, ...(/^\d{6,}$/.test(digits) ? [digits] : []), ...(seed.ids ?? [])]);
    for (const key of seed.keys ?? []) this.conversations.add(key);
  }

  /** True when `event` belongs to the contact; remembers its conversation when it does. */
  matches(event: TimelineEvent): boolean {
    if (event.conversation && this.conversations.has(event.conversation)) return true;
    if (this.names(event)) {
      if (event.conversation) this.conversations.add(event.conversation);
      return true;
    }
    return false;
  }

  /** Conversations found so far. */
  found(): string[] {
    return [...this.conversations].sort();
  }

  private names(event: TimelineEvent): boolean {
    const key = event.conversation ?? "";
    const tail = key.slice(key.indexOf("|") + 1);
    if (this.ids.has(tail) || (tail.startsWith("group:") && this.ids.has(tail.slice(6)))) return true;
    const has = (v: string | undefined) => v !== undefined && this.ids.has(v);
    switch (event.type) {
      case "outbound": {
        const r = event.record.recipient;
        return r.kind === "group" ? has(r.group) : has(r.phone) || has(r.userId);
      }
      case "inbound": {
        const e = event.event;
        if (e.type === "message") return has(e.contact.phone) || has(e.contact.userId) || has(e.group);
        if (e.type === "status") return has(e.recipient?.phone) || has(e.recipient?.userId) || has(e.group);
        if (e.type === "preference") return has(e.contact.phone) || has(e.contact.userId);
        if (e.type === "group") return has(e.group);
        return false;
      }
      default:
        return false;
    }
  }
}
