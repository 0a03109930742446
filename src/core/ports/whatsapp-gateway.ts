import type { FormattedText } from "../formatted-text";
import type { BusinessNumberId, WaMessageId, WaPhone, WaUserId } from "../ids";
import type { MessageTemplate, TemplateValues } from "../templates";
import type { WhatsAppMediaPort } from "./whatsapp-media";

/** Whom to send to: the phone when known (Meta prefers it), else the BSUID. */
export interface Recipient {
  readonly phone?: WaPhone;
  readonly userId?: WaUserId;
}

export interface BusinessNumberInfo {
  readonly id: BusinessNumberId;
  /** As people dial it, e.g. `+1 555-078-3881`. */
  readonly displayNumber: string;
  readonly verifiedName?: string;
}

/**
 * The WhatsApp side, for sending (receiving is the webhook's job). A send resolves once Meta has
 * *accepted* the message (delivery is reported later by status events). Failures are
 * `WhatsAppSendError`s classified by Meta's `error.code`, never by HTTP status alone.
 */
export interface WhatsAppGateway extends WhatsAppMediaPort {
  /**
   * Sends a text message; `replyTo` makes it a contextual reply (of the first part). A text longer than
   * WhatsApp allows is sent as several messages split at paragraph boundaries, in order: `id` is the
   * first, `parts` all of them. Does I/O.
   */
  sendText(request: { business: BusinessNumberId; to: Recipient; body: FormattedText; replyTo?: WaMessageId; callbackData?: string }): Promise<{ id: WaMessageId; parts?: readonly WaMessageId[] }>;
  /** The business numbers of the configured WhatsApp Business Account (empty if none is configured). Does I/O. */
  listBusinessNumbers(): Promise<BusinessNumberInfo[]>;
  /** Sends an approved template with the given values (the only type allowed outside the 24-hour window). Does I/O. */
  sendTemplate(request: { business: BusinessNumberId; to: Recipient; template: MessageTemplate; values: TemplateValues; callbackData?: string }): Promise<{ id: WaMessageId }>;
  /** The APPROVED templates of the configured WhatsApp Business Account, every page (empty if none is configured). Does I/O. */
  listTemplates(): Promise<MessageTemplate[]>;
}
