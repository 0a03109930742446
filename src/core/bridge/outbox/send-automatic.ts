import { paragraph } from "../../formatted-text";
import { maskId, TeamsMessageId, type WaMessageId } from "../../ids";
import type { ChannelLink, Conversation } from "../../model";
import type { BridgeContext } from "../context";
import { recordLabel, type AutomaticMessage } from "../thread-view/record-lines";
import { createRow, dispatchOutbound, newRow } from "./outbox-send";
import { failureNotice, tellThread } from "./outbox-recovery";
import { recipientOf } from "./recipient";

/**
 * Sends a text the bridge itself writes to the customer (`what`, e.g. the first-contact notice) because
 * of the customer's message `cause`, through the outbox like any reply: its row is keyed by what caused
 * it, so a message processed twice (a restart) sends it once; once Meta has it, the thread gets the
 * record of exactly what the customer received, and the journal the outbound record
 * (outbox-record.ts). A failure becomes a notice in the thread, not an error: the customer's own message
 * has already been posted.
 */
export async function sendAutomatic(
  ctx: BridgeContext,
  conversation: Conversation,
  link: ChannelLink,
  text: string,
  what: AutomaticMessage,
  cause: WaMessageId,
): Promise<void> {
  const to = recipientOf(conversation);
  if (!to || !conversation.thread) return;
  const created = await createRow(ctx, {
    business: conversation.business,
    contact: conversation.contact,
    thread: conversation.thread,
    teamsMessageId: TeamsMessageId(`automatic:${what}:${cause}`),
    kind: "automatic",
    label: `automatic:${what}`,
    body: paragraph(text),
    ...newRow(ctx),
  });
  if ("kind" in created) {
    ctx.logger.warn("whatsapp.automatic.not_recorded", { contact: maskId(conversation.contact), what });
    await tellThread(ctx, { contact: conversation.contact, thread: conversation.thread }, link, {
      kind: "automatic-not-sent",
      label: recordLabel({ label: `automatic:${what}` }),
      error: "the bridge's storage did not answer",
      text,
    });
    return;
  }
  if (!created.created) return;
  const outcome = await dispatchOutbound(ctx, created.entry, conversation, to, link);
  if (outcome.kind === "failed") await tellThread(ctx, created.entry, link, failureNotice(created.entry, outcome));
}
