import type { FormattedText } from "../formatted-text";
import type { BusinessNumberId, WaMessageId, WaPhone, WaUserId } from "../ids";

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
export interface WhatsAppGateway {
  /** Sends a text message; `replyTo` makes it a contextual reply. Does I/O. */
  sendText(request: { business: BusinessNumberId; to: Recipient; body: FormattedText; replyTo?: WaMessageId; callbackData?: string }): Promise<{ id: WaMessageId }>;
  /** The business numbers of the configured WhatsApp Business Account (empty if none is configured). Does I/O. */
  listBusinessNumbers(): Promise<BusinessNumberInfo[]>;
}
