import { describeError } from "../errors";
import { toPlainText } from "../formatted-text";
import { maskId, type AadObjectId, type TeamsMessageId, type WaMessageId } from "../ids";
import type { Conversation } from "../model";
import type { OutboxEntry } from "../ports/outbox-store";
import type { Recipient } from "../ports/whatsapp-gateway";
import type { InternalReason, JournalAuthor, JournalRef, StatusRecord } from "../ports/webhook-journal";
import type { BridgeContext } from "./context";

/**
 * The bridge's own records in the journal (docs/data-and-compliance.md, "The journal"): what the business
 * sent, the delivery states it took, and the staff replies that stayed in Teams. With them, who said what
 * to whom, and when, is provable from the journal alone. Without a journal (some tests) nothing is written.
 */

/** The journal's author: only with an Entra object id (Teams always gives one for a person). */
export function journalAuthor(author: { readonly aadObjectId?: AadObjectId; readonly name: string } | undefined): JournalAuthor | undefined {
  return author?.aadObjectId ? { aadObjectId: author.aadObjectId, name: author.name } : undefined;
}

/**
 * Journals what Meta accepted for an outbox row, with the text as the customer received it. Resolves to the ref,
 * or `undefined` without a journal. Throws when the journal cannot store it: the caller keeps the row
 * `recording` and tries again.
 */
export async function journalOutbound(ctx: BridgeContext, entry: OutboxEntry, to: Recipient, wamids: readonly WaMessageId[]): Promise<JournalRef | undefined> {
  if (!ctx.journal) return undefined;
  const author = entry.author ? journalAuthor({ aadObjectId: entry.author, name: entry.authorName ?? "" }) : undefined;
  return ctx.journal.record({
    kind: "outbound",
    at: ctx.clock.now(),
    business: entry.business,
    conversation: entry.contact,
    recipient: to,
    wamids,
    ...(entry.kind === "automatic" ? {} : { teamsMessageId: entry.teamsMessageId }),
    ...(author ? { author } : {}),
    text: recordedText(ctx, entry),
    ...(entry.label ? { label: entry.label } : {}),
  });
}

/** Journals a message sent outside the outbox (a staff reply's pasted image); throws like `journalOutbound`. */
export async function journalSentMedia(
  ctx: BridgeContext,
  sent: { conversation: Conversation; to: Recipient; wamid: WaMessageId; teamsMessageId: TeamsMessageId; author?: JournalAuthor; text: string },
): Promise<JournalRef | undefined> {
  if (!ctx.journal) return undefined;
  const { conversation } = sent;
  return ctx.journal.record({
    kind: "outbound",
    at: ctx.clock.now(),
    business: conversation.business,
    conversation: conversation.contact,
    recipient: sent.to,
    wamids: [sent.wamid],
    teamsMessageId: sent.teamsMessageId,
    ...(sent.author ? { author: sent.author } : {}),
    text: sent.text,
  });
}

/** Journals a delivery state an outbound message took. Throws when it cannot (the status is then tried again). */
export async function journalStatus(ctx: BridgeContext, record: Omit<StatusRecord, "kind">): Promise<void> {
  await ctx.journal?.record({ kind: "status", ...record });
}

/**
 * Journals a staff reply that stayed in Teams, and why. Never throws: Teams keeps the reply itself, so a
 * journal that cannot store this is logged as an error for operators, and the staff member's turn goes on.
 */
export async function journalKeptInTeams(
  ctx: BridgeContext,
  reply: {
    conversation: Conversation;
    teamsMessageId: TeamsMessageId;
    author: { readonly aadObjectId?: AadObjectId; readonly name: string };
    why: InternalReason;
    detail?: string;
    text?: string;
  },
): Promise<void> {
  const author = journalAuthor(reply.author);
  if (!ctx.journal || !author) return;
  try {
    await ctx.journal.record({
      kind: "internal",
      at: ctx.clock.now(),
      conversation: reply.conversation.contact,
      teamsMessageId: reply.teamsMessageId,
      author,
      why: reply.why,
      ...(reply.detail ? { detail: reply.detail } : {}),
      ...(reply.text !== undefined ? { text: reply.text } : {}),
    });
  } catch (err) {
    ctx.logger.error("journal.internal_record_failed", { contact: maskId(reply.conversation.contact), why: reply.why, error: describeError(err) });
  }
}

/** What the customer received for a row: a template's filled-in text as is, other texts as the gateway sends them. */
export const recordedText = (ctx: BridgeContext, entry: OutboxEntry): string =>
  entry.kind === "template" ? toPlainText(entry.body) : ctx.whatsapp.renderText(entry.body);
