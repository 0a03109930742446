import { describeError } from "../../errors";
import { paragraph, toPlainText } from "../../formatted-text";
import { maskId, TeamsMessageId } from "../../ids";
import type { ChannelLink, Conversation } from "../../model";
import type { Recipient } from "../../ports/whatsapp-gateway";
import type { StaffCardAction, StaffReply } from "../../staff-message";
import { missingValues, renderTemplate, templateId, type MessageTemplate, type TemplateValues } from "../../templates";
import type { BridgeContext } from "../context";
import { journalKeptInTeams } from "../journal-records";
import { createRow, dispatchOutbound, newRow } from "../outbox/outbox-send";
import { recipientOf } from "../outbox/recipient";
import { groupCannotReceive, say } from "./staff-replies";
import { templatePicker } from "../template-offer";
import type { TemplateProblem } from "../../notices";

/** The values typed into the card: inputs `h:<key>` (header) and `b:<key>` (body). */
function valuesOf(data: Readonly<Record<string, unknown>>): TemplateValues {
  const header: Record<string, string> = {};
  const body: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== "string") continue;
    if (key.startsWith("h:")) header[key.slice(2)] = value;
    else if (key.startsWith("b:")) body[key.slice(2)] = value;
  }
  return { header, body };
}

const fillCard = (template: MessageTemplate, values: TemplateValues, extra: { preview?: string; problem?: TemplateProblem } = {}): StaffReply => ({
  kind: "template-card",
  replace: true,
  card: { step: "fill", template, values, ...extra },
});

/**
 * Use case `onCardAction`: the steps of the template card (pick → fill/preview → send). The customer is
 * always the one of the thread the card is in: nothing in the card's data can redirect a send (docs/security.md, adversarial case 27).
 */
export async function onCardAction(ctx: BridgeContext, action: StaffCardAction): Promise<StaffReply | undefined> {
  const kind = typeof action.data.bridgeAction === "string" ? action.data.bridgeAction : "";
  if (!kind.startsWith("template.")) return undefined;
  const conversation = await ctx.stores.conversations.findByThread(action.thread);
  const link = conversation && (await ctx.stores.links.get(conversation.business));
  if (!conversation || !link || link.channel.channelId !== action.channelId) {
    return say({ kind: "card-outside-thread" });
  }
  if (kind === "template.cancel") return say({ kind: "template-cancelled" });
  const id = typeof action.data.template === "string" ? action.data.template : "";
  let template: MessageTemplate | undefined;
  try {
    template = id ? await ctx.templates.find(id) : undefined;
  } catch (err) {
    ctx.logger.warn("whatsapp.templates.list_failed", { error: describeError(err) });
    return say({ kind: "templates-unavailable" });
  }
  if (!template) return templatePicker(ctx, { kind: id ? "template-withdrawn" : "template-not-chosen" });
  const values = valuesOf(action.data);
  if (kind === "template.pick") return fillCard(template, { header: {}, body: {} });
  const missing = missingValues(template, values);
  const preview = renderTemplate(template, values);
  if (kind === "template.preview")
    return fillCard(template, values, { preview, ...(missing.length ? { problem: { kind: "template-incomplete", missing, attempt: "preview" } } : {}) });
  if (kind !== "template.send") return undefined;

  if (missing.length > 0) return fillCard(template, values, { preview, problem: { kind: "template-incomplete", missing, attempt: "send" } });
  // A refusal of the send rules is part of the record too: the journal says what was stopped, and why.
  const keptInTeams = (why: "opted-out" | "policy-block", detail?: string) =>
    journalKeptInTeams(ctx, { conversation, teamsMessageId: action.messageId, author: action.author, why, text: preview, ...(detail ? { detail } : {}) });
  if (conversation.optedOut) {
    ctx.logger.info("whatsapp.template.refused_opted_out", { contact: maskId(conversation.contact) });
    await keptInTeams("opted-out");
    return say({ kind: "template-opted-out" });
  }
  const verdict = ctx.checkPolicy(preview);
  if (!verdict.ok) await keptInTeams("policy-block", `template ${templateId(template)}; rule: ${verdict.rule}`);
  if (!verdict.ok) return fillCard(template, values, { preview, problem: { kind: "policy-blocked", on: "template", hint: verdict.hint, rule: verdict.rule } });
  if (template.category === "AUTHENTICATION" && conversation.group) {
    return fillCard(template, values, { preview, problem: { kind: "template-auth-in-group" } });
  }
  const unreachable = conversation.group && groupCannotReceive(conversation.group);
  if (unreachable) return say({ kind: "group-unreachable", why: unreachable });
  const to = recipientOf(conversation);
  if (!to || !conversation.thread) return say({ kind: "recipient-unknown", on: "template" });

  return sendTemplate(ctx, action, { conversation, link, to, template, values, preview });
}

/** How many times one card may send again after WhatsApp refused its template (each try is its own outbox row). */
const MAX_CARD_TRIES = 20;

/**
 * Sends the template through the outbox, keyed by the card: a second press of Send, or a retried invoke,
 * finds the row and sends nothing (it answers with the card's state). After WhatsApp refused it, the
 * card may send again (corrected values): that try gets a row of its own (`<card id>#2`, …). Once Meta
 * has it, the answer is the "sent" card whatever becomes of its record (outbox-record.ts).
 */
async function sendTemplate(
  ctx: BridgeContext,
  action: StaffCardAction,
  send: { conversation: Conversation; link: ChannelLink; to: Recipient; template: MessageTemplate; values: TemplateValues; preview: string },
): Promise<StaffReply | undefined> {
  const { conversation, link, to, template, values, preview } = send;
  const sentCard: StaffReply = { kind: "template-card", replace: true, card: { step: "sent", template, text: preview, by: action.author.name } };
  for (let attempt = 1; attempt <= MAX_CARD_TRIES; attempt++) {
    const created = await createRow(ctx, {
      business: conversation.business,
      contact: conversation.contact,
      thread: action.thread,
      teamsMessageId: attempt === 1 ? action.messageId : TeamsMessageId(`${action.messageId}#${attempt}`),
      kind: "template",
      label: `template:${templateId(template)}`,
      body: paragraph(preview),
      template: { id: templateId(template), values },
      ...(action.author.aadObjectId ? { author: action.author.aadObjectId, authorName: action.author.name } : {}),
      ...newRow(ctx),
    });
    if ("kind" in created) return created;
    if (!created.created) {
      const { existing } = created;
      if (existing.state === "failed") continue;
      ctx.logger.info("whatsapp.template.duplicate_press", { contact: maskId(conversation.contact), state: existing.state });
      // Sent already: the card says so; still on its way: the first press answers.
      return existing.state === "sent" || existing.state === "recording"
        ? { ...sentCard, card: { step: "sent", template, text: toPlainText(existing.body), by: existing.authorName ?? action.author.name } }
        : undefined;
    }
    const outcome = await dispatchOutbound(ctx, created.entry, conversation, to, link, template);
    if (outcome.kind === "taken-over") return undefined;
    if (outcome.kind === "sent") {
      ctx.logger.info("whatsapp.template.sent", { contact: maskId(conversation.contact), template: templateId(template) });
      return sentCard;
    }
    ctx.logger.warn("whatsapp.template.failed", { contact: maskId(conversation.contact), error: outcome.error });
    return fillCard(template, values, { preview, problem: outcome.notice });
  }
  return fillCard(template, values, {
    preview,
    problem: { kind: "not-sent", what: "template", reply: preview, why: "this card has been tried too many times; start again with a new template card." },
  });
}
