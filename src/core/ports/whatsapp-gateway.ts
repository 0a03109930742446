import type { FormattedText } from "../formatted-text";
import type { BusinessNumberId, GroupRequestId, WaGroupId, WaMessageId, WaPhone, WaUserId } from "../ids";
import type { MessageTemplate, TemplateValues } from "../templates";
import type { WhatsAppMediaPort } from "./whatsapp-media";

/**
 * Whom to send to: one person (the phone when known, Meta prefers it, else the BSUID) or one group. The
 * two never mix: a group's conversation only ever yields the group, so a reply meant for a group cannot
 * reach one of its members privately.
 */
export type Recipient =
  { readonly kind: "individual"; readonly phone?: WaPhone; readonly userId?: WaUserId } | { readonly kind: "group"; readonly group: WaGroupId };

/** A group as the Groups API describes it. */
export interface GroupDetails {
  readonly subject?: string;
  readonly description?: string;
  /** Participants other than the business. */
  readonly participantCount?: number;
}

export interface BusinessNumberInfo {
  readonly id: BusinessNumberId;
  /** As people dial it, e.g. `+1 555-078-3881`. */
  readonly displayNumber: string;
  readonly verifiedName?: string;
}

/** What `sendText` resolves to. */
export interface SentText {
  readonly id: WaMessageId;
  /** Every message the text took, in order, when it took several. */
  readonly parts?: readonly WaMessageId[];
}

/**
 * The WhatsApp side, for sending (receiving is the webhook's job). A send resolves once Meta has
 * *accepted* the message (delivery is reported later by status events). Failures are
 * `WhatsAppSendError`s whose `failure` kind the adapter derived from Meta's error code, never from the
 * HTTP status alone.
 */
export interface WhatsAppGateway extends WhatsAppMediaPort {
  /**
   * Sends a text message; `replyTo` makes it a contextual reply (of the first part). A text longer than
   * WhatsApp allows is sent as several messages split at paragraph boundaries, in order: `id` is the
   * first, `parts` all of them. Does I/O.
   */
  sendText(request: { business: BusinessNumberId; to: Recipient; body: FormattedText; replyTo?: WaMessageId; callbackData?: string }): Promise<SentText>;
  /** The text `sendText` sends for `body`, exactly (WhatsApp markup, all parts together): for the record. No I/O. */
  renderText(body: FormattedText): string;
  /** The business numbers of the configured WhatsApp Business Account (empty if none is configured). Does I/O. */
  listBusinessNumbers(): Promise<BusinessNumberInfo[]>;
  /** Sends an approved template with the given values (the only type allowed outside the 24-hour window). Does I/O. */
  sendTemplate(request: {
    business: BusinessNumberId;
    to: Recipient;
    template: MessageTemplate;
    values: TemplateValues;
    callbackData?: string;
  }): Promise<{ id: WaMessageId }>;
  /** The APPROVED templates of the configured WhatsApp Business Account, every page (empty if none is configured). Does I/O. */
  listTemplates(): Promise<MessageTemplate[]>;
  /**
   * Asks WhatsApp to create a group on `business` (Groups API). Resolves with the request id once the
   * request is accepted; the group itself, with its id and invite link, is announced later by a
   * `created` group event. Does I/O.
   */
  createGroup(request: { business: BusinessNumberId; subject: string; description?: string }): Promise<{ requestId: GroupRequestId }>;
  /** What WhatsApp says of a group now (subject, participants). Does I/O. */
  groupDetails(request: { business: BusinessNumberId; group: WaGroupId }): Promise<GroupDetails>;
}
