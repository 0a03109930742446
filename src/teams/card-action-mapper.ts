import type { Activity } from "botbuilder";
import { parseThreadRef, TeamsMessageId, TenantId } from "../core/ids";
import type { StaffCardAction } from "../core/staff-message";
import { authorOf, tenantOf } from "./activity-mapper";

/** The invoke name of Adaptive Card Universal Actions (`Action.Execute`, docs/protocols.md B11). */
export const ADAPTIVE_CARD_ACTION_INVOKE = "adaptiveCard/action";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * True for an Adaptive Card `Action.Submit` press: in Teams it arrives as a `message` activity whose
 * `value` is the button's data merged with the card's inputs, usually without text. A person's message
 * never has an object `value`. (Routing is teams-ai's `actionSubmit`, teams-app.ts; this tells the
 * mapper which of the two shapes it reads.)
 */
export function isCardSubmit(activity: Partial<Activity>): boolean {
  return activity.type === "message" && isPlainObject(activity.value);
}

/** True for a Universal Action (`Action.Execute`) invoke. */
export function isCardActionInvoke(activity: Partial<Activity>): boolean {
  return activity.type === "invoke" && activity.name === ADAPTIVE_CARD_ACTION_INVOKE;
}

/**
 * The action's data, as the client sent it (untrusted: the core validates it). For a submit, `value`
 * itself; for an `Action.Execute` invoke, `value.action.data` with the verb as `bridgeAction` unless the
 * data names one.
 */
function actionData(activity: Partial<Activity>): Record<string, unknown> | undefined {
  if (isCardSubmit(activity)) return { ...(activity.value as Record<string, unknown>) };
  if (!isCardActionInvoke(activity) || !isPlainObject(activity.value)) return undefined;
  const action = activity.value.action;
  if (!isPlainObject(action)) return undefined;
  const data = isPlainObject(action.data) ? action.data : {};
  return typeof action.verb === "string" ? { bridgeAction: action.verb, ...data } : { ...data };
}

/**
 * Maps a card button press (a submit message or an `Action.Execute` invoke) in a channel thread to a
 * StaffCardAction. Pure. The thread comes from `conversation.id` only (never from `data`: docs/security.md,
 * adversarial case 27); `messageId` is the card message the button is on (`replyToId`, the message a replacing
 * answer updates), or the activity's own id when Teams omits it. Undefined when the activity is not
 * a card action in a thread, or has no tenant, id or serviceUrl.
 */
export function mapCardAction(activity: Partial<Activity>): StaffCardAction | undefined {
  const data = actionData(activity);
  const parsed = parseThreadRef(activity.conversation?.id ?? "");
  const tenant = tenantOf(activity);
  const messageId = activity.replyToId || activity.id;
  if (!data || !parsed || !tenant || !messageId || !activity.serviceUrl) return undefined;
  return {
    tenantId: TenantId(tenant),
    channelId: parsed.channel,
    serviceUrl: activity.serviceUrl,
    thread: parsed.thread,
    messageId: TeamsMessageId(messageId),
    author: authorOf(activity),
    data,
  };
}
