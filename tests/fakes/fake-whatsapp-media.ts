import { createHash } from "node:crypto";
import type { BridgeError } from "../../src/core/errors";
import type { FormattedText } from "../../src/core/formatted-text";
import { WaMediaId, WaMessageId, type BusinessNumberId } from "../../src/core/ids";
import { MediaFetchError } from "../../src/core/media-errors";
import type { MediaKind } from "../../src/core/messages";
import type { Recipient } from "../../src/core/ports/whatsapp-gateway";
import type { DownloadedMedia, WhatsAppMediaPort } from "../../src/core/ports/whatsapp-media";

/** A file the fake serves by media id; `sha256` is what the download reports as announced-or-not. */
export interface FakeMediaFile {
  readonly bytes: Uint8Array;
  readonly mimeType: string;
}

/** The media half of the fake WhatsApp gateway: files to download, recorded uploads, media sends and reactions. */
export class FakeWhatsAppMedia implements WhatsAppMediaPort {
  readonly files = new Map<string, FakeMediaFile>();
  readonly downloads: Array<{ mediaId: WaMediaId; maxBytes: number }> = [];
  readonly uploads: Array<{ business: BusinessNumberId; bytes: Uint8Array; mimeType: string; filename: string; id: WaMediaId }> = [];
  readonly mediaSent: Array<{
    business: BusinessNumberId;
    to: Recipient;
    kind: MediaKind;
    mediaId: WaMediaId;
    caption?: FormattedText;
    replyTo?: WaMessageId;
    id: WaMessageId;
  }> = [];
  readonly reactions: Array<{ business: BusinessNumberId; to: Recipient; target: WaMessageId; emoji: string; id: WaMessageId }> = [];
  private readonly fetchFailures: MediaFetchError[] = [];
  private readonly sendFailures: BridgeError[] = [];
  private next = 1;

  /** The next downloads fail with these errors, in order. */
  failFetch(...errors: MediaFetchError[]): void {
    this.fetchFailures.push(...errors);
  }
  /** The next uploads or media/reaction sends fail with these errors, in order. */
  failSend(...errors: BridgeError[]): void {
    this.sendFailures.push(...errors);
  }

  async fetchMedia(request: { business: BusinessNumberId; mediaId: WaMediaId; maxBytes: number; expectedSha256?: string }): Promise<DownloadedMedia> {
    this.downloads.push({ mediaId: request.mediaId, maxBytes: request.maxBytes });
    const scripted = this.fetchFailures.shift();
    if (scripted) throw scripted;
    const file = this.files.get(request.mediaId);
    if (!file) throw new MediaFetchError("unavailable", "unknown media id", { userMessage: "the media id is unknown or expired" });
    if (file.bytes.length > request.maxBytes) throw new MediaFetchError("too_large", "too large", { userMessage: "the file is too large" });
    const digest = createHash("sha256").update(file.bytes).digest();
    return {
      bytes: file.bytes,
      mimeType: file.mimeType,
      sha256: digest.toString("hex"),
      ...(request.expectedSha256 ? { hashMatches: request.expectedSha256 === digest.toString("base64") } : {}),
    };
  }

  async uploadMedia(request: { business: BusinessNumberId; bytes: Uint8Array; mimeType: string; filename: string }): Promise<{ id: WaMediaId }> {
    this.throwIfScripted();
    const id = WaMediaId(`media.up${this.next++}`);
    this.uploads.push({ ...request, id });
    return { id };
  }

  async sendMedia(request: {
    business: BusinessNumberId;
    to: Recipient;
    kind: MediaKind;
    mediaId: WaMediaId;
    caption?: FormattedText;
    replyTo?: WaMessageId;
  }): Promise<{ id: WaMessageId }> {
    this.throwIfScripted();
    const id = WaMessageId(`wamid.media${this.next++}`);
    this.mediaSent.push({
      business: request.business,
      to: request.to,
      kind: request.kind,
      mediaId: request.mediaId,
      ...(request.caption ? { caption: request.caption } : {}),
      ...(request.replyTo ? { replyTo: request.replyTo } : {}),
      id,
    });
    return { id };
  }

  async sendReaction(request: { business: BusinessNumberId; to: Recipient; target: WaMessageId; emoji: string }): Promise<{ id: WaMessageId }> {
    this.throwIfScripted();
    const id = WaMessageId(`wamid.react${this.next++}`);
    this.reactions.push({ business: request.business, to: request.to, target: request.target, emoji: request.emoji, id });
    return { id };
  }

  private throwIfScripted(): void {
    const err = this.sendFailures.shift();
    if (err) throw err;
  }
}

/** Base64 SHA-256, as Meta's webhooks announce it. */
export function webhookSha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("base64");
}
