import { BridgeError, describeError } from "../../errors";
import { excerpt } from "../../formatted-text";
import { maskId } from "../../ids";
import type { StaffCardAction, StaffReply } from "../../staff-message";
import { missingValues, renderTemplate, templateId, type MessageTemplate, type TemplateValues } from "../../templates";
import type { BridgeContext } from "../context";
import { recordOutbound } from "../outbox/outbound-record";
import { recipientOf } from "../outbox/recipient";
import { templateSentLabel } from "../thread-view/record-lines";
import { groupCannotReceive, say, templatePicker } from "./staff-replies";
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

const fillCard = (template: MessageTemplate, values: TemplateValues, extra: { preview?: string; problem?: TemplateProblem } = {}): StaffReply =>
  ({ kind: "template-card", replace: true, card: { step: "fill", template, values, ...extra } });

/**
 * Use case `onCardAction`: the steps of the template card (pick → fill/preview → send). The customer is
 * always the one of the thread the card is in: nothing in the card's data can redirect a send (case 27).
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
  if (kind === "template.preview") return fillCard(template, values, { preview, ...(missing.length ? { problem: { kind: "template-incomplete", missing, attempt: "preview" } } : {}) });
  if (kind !== "template.send") return undefined;

  if (missing.length > 0) return fillCard(template, values, { preview, problem: { kind: "template-incomplete", missing, attempt: "send" } });
  if (conversation.optedOut) {
    ctx.logger.info("whatsapp.template.refused_opted_out", { contact: maskId(conversation.contact) });
    return say({ kind: "template-opted-out" });
  }
  const verdict = ctx.checkPolicy(preview);
  if (!verdict.ok) return fillCard(template, values, { preview, problem: { kind: "policy-blocked", on: "template", hint: verdict.hint, rule: verdict.rule } });
  if (template.category === "AUTHENTICATION" && conversation.group) {
    return fillCard(template, values, { preview, problem: { kind: "template-auth-in-group" } });
  }
  const unreachable = conversation.group && groupCannotReceive(conversation.group);
  if (unreachable) return say({ kind: "group-unreachable", why: unreachable });
  const to = recipientOf(conversation);
  if (!to || !conversation.thread) return say({ kind: "recipient-unknown", on: "template" });

  try {
    const sent = await ctx.pacer.send(conversation.business, conversation.contact, () =>
      ctx.whatsapp.sendTemplate({ business: conversation.business, to, template: template!, values, callbackData: action.messageId }),
    );
    // The record of what the customer received: ordinary text in the thread, with the template's name.
    const postId = await ctx.teams.postInThread(link.channel, conversation.thread, { kind: "sent", label: templateSentLabel(template, action.author.name), text: preview });
    await recordOutbound(ctx, {
      conversation, thread: conversation.thread, teamsMessageId: postId, wamids: [sent.id], excerpt: excerpt(preview, 200),
      ...(action.author.aadObjectId ? { author: action.author.aadObjectId } : {}),
    }, link);
    ctx.logger.info("whatsapp.template.sent", { contact: maskId(conversation.contact), template: templateId(template) });
    return { kind: "template-card", replace: true, card: { step: "sent", template, text: preview, by: action.author.name } };
  } catch (err) {
    ctx.logger.warn("whatsapp.template.failed", { contact: maskId(conversation.contact), error: describeError(err) });
    return fillCard(template, values, { preview, problem: { kind: "not-sent", what: "template", ...(err instanceof BridgeError ? { why: err.userMessage } : {}) } });
  }
}
