import type { WhatsAppFailureKind } from "./errors";
import type { FormattedText } from "./formatted-text";
import {
  groupKeyOf,
  type BusinessNumberId,
  type ContactKey,
  type GroupRequestId,
  type ConversationKey,
  type WaGroupId,
  type WaMessageId,
  type WaPhone,
  type WaUserId,
} from "./ids";

/** Who wrote to the business. Either id may be missing, never both (docs/architecture.md). */
export interface ContactIdentity {
  readonly key: ContactKey;
  readonly userId?: WaUserId;
  readonly phone?: WaPhone;
  /** WhatsApp profile name: chosen by the customer, so never trusted for anything but display. */
  readonly profileName?: string;
  readonly username?: string;
}

export type MediaKind = "image" | "audio" | "video" | "document" | "sticker";

/** The content of one inbound WhatsApp message, one variant per type of docs/protocols.md A7. */
export type InboundContent =
  | { readonly kind: "text"; readonly body: FormattedText; readonly raw: string }
  | {
      readonly kind: "media";
      readonly media: MediaKind;
      readonly mediaId: string;
      readonly mimeType?: string;
      readonly sha256?: string;
      readonly caption?: string;
      /** The caption with its WhatsApp markup parsed (the adapter sets it; `caption` keeps the raw text). */
      readonly captionBody?: FormattedText;
      readonly filename?: string;
      readonly voice?: boolean;
      readonly animated?: boolean;
    }
  | {
      readonly kind: "location";
      readonly latitude: number;
      readonly longitude: number;
      readonly name?: string;
      readonly address?: string;
      readonly url?: string;
    }
  | {
      readonly kind: "contacts";
      readonly contacts: readonly { readonly name: string; readonly phones: readonly string[]; readonly emails: readonly string[] }[];
    }
  | { readonly kind: "interactive"; readonly replyType: string; readonly id?: string; readonly title: string; readonly description?: string }
  | { readonly kind: "button"; readonly text: string; readonly payload?: string }
  | { readonly kind: "reaction"; readonly target: WaMessageId; readonly emoji?: string }
  | {
      readonly kind: "order";
      readonly catalogId: string;
      readonly text?: string;
      readonly items: readonly { readonly productId: string; readonly quantity: number; readonly price: number; readonly currency: string }[];
    }
  | { readonly kind: "system"; readonly systemType: string; readonly body: string; readonly newPhone?: WaPhone; readonly newUserId?: WaUserId }
  | { readonly kind: "edit"; readonly target: WaMessageId; readonly newText?: string }
  | { readonly kind: "revoke"; readonly target: WaMessageId }
  | { readonly kind: "unsupported"; readonly originalType: string; readonly detail?: string };

/** One customer message as received (already validated by the WhatsApp adapter). */
export interface InboundMessage {
  readonly type: "message";
  readonly business: BusinessNumberId;
  readonly id: WaMessageId;
  readonly contact: ContactIdentity;
  /** WhatsApp's own timestamp, Unix seconds. */
  readonly timestamp: number;
  readonly content: InboundContent;
  readonly replyTo?: WaMessageId;
  readonly forwarded?: "forwarded" | "frequently";
  /** Set when the customer came from a click-to-WhatsApp ad or post (`referral`, docs/protocols.md A7). */
  readonly referral?: AdReferral;
  /**
   * Set when the message was written in a WhatsApp group: it belongs to the group's conversation, and
   * `contact` is the participant who wrote it.
   */
  readonly group?: WaGroupId;
}

/** What a message is, for metrics: its content's kind, or for a file its media kind (`image`, `audio`, …). */
export function messageKindOf(message: Pick<InboundMessage, "content">): string {
  return message.content.kind === "media" ? message.content.media : message.content.kind;
}

/** The conversation (hence thread) a message belongs to: its group's, else its sender's. */
export function conversationKeyOf(message: Pick<InboundMessage, "business" | "contact" | "group">): ConversationKey {
  return message.group ? groupKeyOf(message.business, message.group) : message.contact.key;
}

/** Where a customer came from: the ad or post they tapped (every field as Meta gave it, untrusted). */
export interface AdReferral {
  readonly headline?: string;
  readonly body?: string;
  /** `ad` or `post`. */
  readonly sourceType?: string;
  readonly sourceUrl?: string;
  readonly sourceId?: string;
  readonly mediaType?: string;
  /** The click id Meta gives for conversions reporting. */
  readonly ctwaClid?: string;
}

export type DeliveryState = "sent" | "delivered" | "read" | "played" | "failed";

/** One error of a delivery status (see `StatusEvent.errors`). */
export interface StatusError {
  readonly code: number;
  readonly kind: WhatsAppFailureKind;
  readonly title: string;
  readonly detail?: string;
  readonly userMessage?: string;
  readonly retryable?: boolean;
}

/** A delivery status of a message the business sent. */
export interface StatusEvent {
  readonly type: "status";
  readonly business: BusinessNumberId;
  readonly id: WaMessageId;
  readonly state: DeliveryState;
  readonly timestamp: number;
  readonly recipient?: { readonly userId?: WaUserId; readonly phone?: WaPhone };
  /**
   * Meta's errors; the adapter adds the bridge's kind for each (`kind`), what it means for a person
   * (`userMessage`) and whether sending again later can help (`retryable`), so the core decides without
   * Meta's codes (`code` is kept to be quoted and logged).
   */
  readonly errors: readonly StatusError[];
  /** `biz_opaque_callback_data` echoed back: the bridge puts the Teams message id there. */
  readonly callbackData?: string;
  /** Set for a message sent to a group: the group it went to. */
  readonly group?: WaGroupId;
  /**
   * For a group send, the participant this status is about (delivered and read come per participant),
   * as an opaque id: used to count participants, never shown.
   */
  readonly participant?: string;
}

/** A customer stopped or resumed marketing messages in WhatsApp's settings (`user_preferences` webhook). */
export interface PreferenceEvent {
  readonly type: "preference";
  readonly business: BusinessNumberId;
  readonly contact: { readonly userId?: WaUserId; readonly phone?: WaPhone };
  readonly value: "stop" | "resume";
  /** Unix seconds. */
  readonly timestamp: number;
}

/** An error Meta reports about the number or app, not about one message (`value.errors[]`). */
export interface AccountErrorEvent {
  readonly type: "account_error";
  readonly business: BusinessNumberId;
  /** Stable key Meta does not give: the adapter derives it from the content, for dedupe. */
  readonly key: string;
  /** When it was received, Unix seconds (Meta gives no time for these). */
  readonly timestamp: number;
  readonly code: number;
  readonly title: string;
  readonly detail?: string;
}

/** A participant of a group, as a group event names them (ids as WhatsApp gives them; either may be absent). */
export interface GroupParticipant {
  readonly userId?: WaUserId;
  readonly phone?: WaPhone;
  /** Profile name (untrusted, display only). */
  readonly name?: string;
  readonly username?: string;
}

/** What happened to a group (the `group_*` webhook fields). Unknown kinds are kept as `unsupported`. */
export type GroupChange =
  | { readonly kind: "created"; readonly subject?: string; readonly description?: string; readonly inviteLink?: string; readonly requestId?: GroupRequestId }
  | { readonly kind: "deleted" }
  | { readonly kind: "joined"; readonly participants: readonly GroupParticipant[]; readonly via?: string }
  | { readonly kind: "join-requested"; readonly participants: readonly GroupParticipant[] }
  | { readonly kind: "join-request-withdrawn"; readonly participants: readonly GroupParticipant[] }
  /** The business removed participants; `notRemoved` are those WhatsApp refused to remove, `problem` why. */
  | {
      readonly kind: "removed";
      readonly participants: readonly GroupParticipant[];
      readonly notRemoved?: readonly GroupParticipant[];
      readonly problem?: string;
    }
  | { readonly kind: "left"; readonly participants: readonly GroupParticipant[] }
  /** Settings changed; `problem` says what WhatsApp did not change, when some of the request failed. */
  | { readonly kind: "settings"; readonly subject?: string; readonly description?: string; readonly pictureChanged?: boolean; readonly problem?: string }
  | { readonly kind: "suspended" }
  | { readonly kind: "unsuspended" }
  /** The API refused something the business asked (create, delete, remove, settings): WhatsApp's words. */
  | { readonly kind: "request-failed"; readonly request: string; readonly error: string; readonly subject?: string; readonly requestId?: GroupRequestId }
  | { readonly kind: "unsupported"; readonly field: string; readonly type: string };

/** A change to a group of a business number (Groups API webhooks). */
export interface GroupEvent {
  readonly type: "group";
  readonly business: BusinessNumberId;
  /** Absent only when WhatsApp names no group (a create that failed before one existed). */
  readonly group?: WaGroupId;
  /** Stable key Meta does not give: the adapter derives it from the content, for dedupe. */
  readonly key: string;
  /** Unix seconds. */
  readonly timestamp: number;
  readonly change: GroupChange;
}

export type WhatsAppEvent = InboundMessage | StatusEvent | AccountErrorEvent | PreferenceEvent | GroupEvent;

/** The dedupe key of an event inside its business number: wamid, wamid+status, or the error key. */
export function eventKeyOf(event: WhatsAppEvent): string {
  switch (event.type) {
    case "message":
      return `msg:${event.id}`;
    // Delivered and read of a group send come once per participant: each is an event of its own.
    case "status":
      return `status:${event.id}:${event.state}${event.participant ? `:${event.participant}` : ""}`;
    case "account_error":
      return `error:${event.key}`;
    case "group":
      return `group:${event.key}`;
    case "preference":
      return `pref:${event.contact.userId ?? event.contact.phone ?? "-"}:${event.value}:${event.timestamp}`;
  }
}
