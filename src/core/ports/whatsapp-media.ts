import type { FormattedText } from "../formatted-text";
import type { BusinessNumberId, WaMediaId, WaMessageId } from "../ids";
import type { MediaKind } from "../messages";
import type { Recipient } from "./whatsapp-gateway";

/** A media file as downloaded from WhatsApp. */
export interface DownloadedMedia {
  readonly bytes: Uint8Array;
  /** The type WhatsApp declares for the file (not checked: the core checks the bytes). */
  readonly mimeType?: string;
  /** SHA-256 of the bytes received, lower-case hex. */
  readonly sha256: string;
  /** Whether the bytes match the hash the webhook announced; undefined when none was announced. */
  readonly hashMatches?: boolean;
}

/**
 * Media and reactions, the part of the WhatsApp side beyond text and templates. Every method does I/O.
 * Errors are `MediaFetchError` for downloads and `WhatsAppSendError` for sends (see core/media.ts and
 * core/errors.ts); `retryable` says whether trying again later may help.
 */
export interface WhatsAppMediaPort {
  /**
   * Downloads the media a customer sent: its URL is looked up by id, then fetched with the business
   * token, only from the configured media hosts, never following redirects, within a time limit, and
   * never more than `maxBytes` (refused as `too_large` without reading further). `expectedSha256` is the
   * webhook's `sha256`, in the form Meta sends it.
   */
  fetchMedia(request: { business: BusinessNumberId; mediaId: WaMediaId; maxBytes: number; expectedSha256?: string }): Promise<DownloadedMedia>;
  /** Uploads a file to WhatsApp's media store for this number (kept 30 days); returns its media id. */
  uploadMedia(request: { business: BusinessNumberId; bytes: Uint8Array; mimeType: string; filename: string }): Promise<{ id: WaMediaId }>;
  /** Sends uploaded media; `caption` (image, video, document only) is at most 1,024 characters. */
  sendMedia(request: {
    business: BusinessNumberId;
    to: Recipient;
    kind: MediaKind;
    mediaId: WaMediaId;
    caption?: FormattedText;
    filename?: string;
    replyTo?: WaMessageId;
    callbackData?: string;
  }): Promise<{ id: WaMessageId }>;
  /** Reacts to a message in the chat with `emoji`; an empty emoji removes the business's reaction. */
  sendReaction(request: { business: BusinessNumberId; to: Recipient; target: WaMessageId; emoji: string; callbackData?: string }): Promise<{ id: WaMessageId }>;
}
