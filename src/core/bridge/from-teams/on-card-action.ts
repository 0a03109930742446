import { BridgeError, describeError } from "../../errors";
import { excerpt } from "../../formatted-text";
import { maskId } from "../../ids";
import type { StaffCardAction, StaffReply } from "../../staff-message";
import { missingValues, renderTemplate, templateId, type MessageTemplate, type TemplateValues } from "../../templates";
import type { BridgeContext } from "../context";
import { recordOutbound } from "../outbox/outbound-record";
import { recipientOf } from "../outbox/recipient";
import { groupCannotReceive, templatePicker } from "./staff-replies";

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

const fillCard = (template: MessageTemplate, values: TemplateValues, extra: { preview?: string; problem?: string } = {}): StaffReply =>
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
    return { kind: "notice", tone: "warning", text: "This card only works in a customer thread of a linked channel." };
  }
  if (kind === "template.cancel") return { kind: "text", text: "Template not sent." };
  const id = typeof action.data.template === "string" ? action.data.template : "";
  let template: MessageTemplate | undefined;
  try {
    template = id ? await ctx.templates.find(id) : undefined;
  } catch (err) {
    ctx.logger.warn("whatsapp.templates.list_failed", { error: describeError(err) });
    return { kind: "notice", tone: "error", text: "The list of WhatsApp templates could not be loaded; try again in a minute." };
  }
  if (!template) return templatePicker(ctx, id ? "That template is no longer approved; pick another." : "Pick a template first.");
  const values = valuesOf(action.data);
  if (kind === "template.pick") return fillCard(template, { header: {}, body: {} });
  const missing = missingValues(template, values);
  const preview = renderTemplate(template, values);
  if (kind === "template.preview") return fillCard(template, values, { preview, ...(missing.length ? { problem: `Still to fill in: ${missing.join(", ")}.` } : {}) });
  if (kind !== "template.send") return undefined;

  if (missing.length > 0) return fillCard(template, values, { preview, problem: `Not sent: fill in ${missing.join(", ")} first.` });
  if (conversation.optedOut) {
    ctx.logger.info("whatsapp.template.refused_opted_out", { contact: maskId(conversation.contact) });
    return { kind: "notice", tone: "warning", text: "Not sent: the customer opted out of business-initiated messages, so templates are refused. You can still reply while a conversation they start is open." };
  }
  const verdict = ctx.checkPolicy(preview);
  if (!verdict.ok) return fillCard(template, values, { preview, problem: `Not sent: the text contains ${verdict.hint}, which matches the rule against ${verdict.rule}.` });
  if (template.category === "AUTHENTICATION" && conversation.group) {
    return fillCard(template, values, { preview, problem: "Not sent: WhatsApp does not deliver authentication templates to groups. Pick another template." });
  }
  const groupProblem = conversation.group && groupCannotReceive(conversation.group);
  if (groupProblem) return { kind: "notice", tone: "warning", text: `Not sent: ${groupProblem}` };
  const to = recipientOf(conversation);
  if (!to || !conversation.thread) return { kind: "notice", tone: "error", text: "Not sent: I can't tell which WhatsApp user this thread belongs to." };

  try {
    const sent = await ctx.pacer.send(conversation.business, conversation.contact, () =>
      ctx.whatsapp.sendTemplate({ business: conversation.business, to, template: template!, values, callbackData: action.messageId }),
    );
    // The record of what the customer received: ordinary text in the thread, with the template's name.
    const label = `Template “${template.name}” (${template.language}) sent by ${action.author.name}`;
    const postId = await ctx.teams.postInThread(link.channel, conversation.thread, { kind: "sent", label, text: preview });
    await recordOutbound(ctx, {
      conversation, thread: conversation.thread, teamsMessageId: postId, wamids: [sent.id], excerpt: excerpt(preview, 200),
      ...(action.author.aadObjectId ? { author: action.author.aadObjectId } : {}),
    }, link);
    ctx.logger.info("whatsapp.template.sent", { contact: maskId(conversation.contact), template: templateId(template) });
    return { kind: "template-card", replace: true, card: { step: "sent", template, text: preview, by: action.author.name } };
  } catch (err) {
    ctx.logger.warn("whatsapp.template.failed", { contact: maskId(conversation.contact), error: describeError(err) });
    const why = err instanceof BridgeError ? err.userMessage : "an unexpected error occurred.";
    return fillCard(template, values, { preview, problem: `Not sent to WhatsApp: ${why}` });
  }
}
