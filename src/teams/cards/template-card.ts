import type { TemplateCardModel } from "../../core/staff-message";
import { headerPlaceholders, placeholders, templateId, type MessageTemplate } from "../../core/templates";
import { neutraliseDisplayName, neutraliseText } from "../display-text";
import { sayNotice } from "../wording";
import { adaptiveCard, labelled, literalText, type AdaptiveCard, type CardElement } from "./adaptive-card";

/** The `bridgeAction` values the template card's buttons send (in `data`, merged with the inputs). */
export const TEMPLATE_ACTIONS = {
  pick: "template.pick",
  preview: "template.preview",
  send: "template.send",
  cancel: "template.cancel",
} as const;

/** Input ids: the template choice, and one text input per header (`h:`) and body (`b:`) placeholder. */
export const TEMPLATE_INPUT_ID = "template";
export const headerInputId = (key: string) => `h:${key}`;
export const bodyInputId = (key: string) => `b:${key}`;

const heading = (text: string): CardElement => ({ type: "TextBlock", text, weight: "Bolder", size: "Medium", wrap: true });
const warning = (text: string): CardElement => literalText(text, { color: "Warning", weight: "Bolder" });

function submit(title: string, bridgeAction: string, extra: Record<string, unknown> = {}, options: Record<string, unknown> = {}): CardElement {
  return { type: "Action.Submit", title, data: { bridgeAction, ...extra }, ...options };
}

/** The card's model with its reason and problem in words (wording.ts), as the card shows them. */
export type TemplateCardView =
  | (Omit<Extract<TemplateCardModel, { step: "pick" }>, "reason"> & { readonly reason?: string })
  | (Omit<Extract<TemplateCardModel, { step: "fill" }>, "problem"> & { readonly problem?: string })
  | Extract<TemplateCardModel, { step: "sent" }>;

/** Puts the core's card model in words. */
export function wordTemplateCard(model: TemplateCardModel): TemplateCardView {
  switch (model.step) {
    case "pick": {
      const { reason, ...rest } = model;
      return reason ? { ...rest, reason: sayNotice(reason).text } : rest;
    }
    case "fill": {
      const { problem, ...rest } = model;
      return problem ? { ...rest, problem: sayNotice(problem).text } : rest;
    }
    case "sent":
      return model;
  }
}

function pickStep(model: Extract<TemplateCardView, { step: "pick" }>): AdaptiveCard {
  const body: CardElement[] = [heading("Send a WhatsApp template")];
  if (model.reason) body.push(warning(model.reason));
  if (model.templates.length === 0) {
    body.push(literalText("No approved templates are available for this WhatsApp Business Account."));
    return adaptiveCard(body);
  }
  body.push({
    type: "Input.ChoiceSet",
    id: TEMPLATE_INPUT_ID,
    label: "Template",
    style: "compact",
    placeholder: "Choose a template",
    isRequired: true,
    errorMessage: "Choose a template first.",
    choices: model.templates.map((t) => ({ title: neutraliseText(t.label), value: t.id })),
  });
  return adaptiveCard(body, [submit("Next", TEMPLATE_ACTIONS.pick)]);
}

/** The template text as staff see it before filling: header, body and footer with their placeholders. */
function templateText(t: MessageTemplate): string {
  const header = t.header?.format === "TEXT" ? t.header.text : t.header ? `[${t.header.format.toLowerCase()} header]` : undefined;
  return [header, t.body, t.footer].filter((part): part is string => !!part).join("\n\n");
}

function textInput(id: string, label: string, value: string | undefined): CardElement {
  return { type: "Input.Text", id, label, ...(value ? { value } : {}) };
}

function fillStep(model: Extract<TemplateCardView, { step: "fill" }>): AdaptiveCard {
  const t = model.template;
  const body: CardElement[] = [
    heading("Send a WhatsApp template"),
    labelled("Template", t.name),
    labelled("Language", t.language),
    labelled("Category", t.category),
    literalText(templateText(t), { spacing: "Medium", isSubtle: true }),
  ];
  if (t.buttons.length > 0) body.push(labelled("Buttons", t.buttons.join(" · ")));
  for (const key of headerPlaceholders(t)) body.push(textInput(headerInputId(key), `Header {{${key}}}`, model.values.header[key]));
  for (const key of placeholders(t.body)) body.push(textInput(bodyInputId(key), `{{${key}}}`, model.values.body[key]));
  if (model.problem) body.push(warning(model.problem));
  if (model.preview !== undefined) {
    body.push({ type: "TextBlock", text: "Preview: what the customer will receive", weight: "Bolder", spacing: "Medium", wrap: true });
    body.push({ type: "Container", style: "emphasis", items: [literalText(model.preview)] });
  }
  const which = { template: templateId(t) };
  return adaptiveCard(body, [
    submit("Preview", TEMPLATE_ACTIONS.preview, which),
    submit("Send to customer", TEMPLATE_ACTIONS.send, which, { style: "positive" }),
    // Cancel must work whatever the inputs hold: it does not submit (or validate) them.
    submit("Cancel", TEMPLATE_ACTIONS.cancel, which, { associatedInputs: "none" }),
  ]);
}

function sentStep(model: Extract<TemplateCardView, { step: "sent" }>): AdaptiveCard {
  const by = neutraliseDisplayName(model.by) || "someone";
  return adaptiveCard([
    labelled("Template", `${model.template.name} (${model.template.language})`),
    literalText(`✅ Sent by ${by}: ${model.text}`, { spacing: "Small" }),
  ]);
}

/**
 * Builds the template card (Adaptive Card 1.5) for one step: "pick" a template, "fill" its placeholders
 * (with preview, send and cancel), or the "sent" confirmation without inputs. Buttons are Action.Submit
 * with `data.bridgeAction`; the fill step's also carry `data.template` (templateId). Every text that can
 * reach the customer, or came from outside, is escaped for card Markdown or sits in a TextRun.
 */
export function buildTemplateCard(model: TemplateCardView): AdaptiveCard {
  switch (model.step) {
    case "pick":
      return pickStep(model);
    case "fill":
      return fillStep(model);
    case "sent":
      return sentStep(model);
  }
}
