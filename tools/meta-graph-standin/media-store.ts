import { createHash, createHmac, randomBytes, randomInt } from "node:crypto";

/**
 * The stand-in's media (docs/protocols.md A12): files a customer sent (added by the WhatsApp simulator or a
 * test) and files the business uploaded. Each has a numeric id, like Meta's; `GET /{media-id}` hands out
 * a download URL that is valid for a limited time (5 minutes at Meta) and only works with the token.
 */

/** One stored file. */
export interface StoredMedia {
  /** Numeric string, like Meta's media ids. */
  readonly id: string;
  readonly mimeType: string;
  readonly bytes: Buffer;
  /** SHA-256 of the bytes, hex (what `GET /{media-id}` answers). */
  readonly sha256Hex: string;
  /** SHA-256 of the bytes, base64 (what inbound webhooks carry in `image.sha256` etc.). */
  readonly sha256Base64: string;
  readonly filename?: string;
  /** The business number the file belongs to; `GET /{id}?phone_number_id=` must match it when given. */
  readonly phoneNumberId?: string;
  /** When set, `GET /{media-id}` answers this URL instead of the stand-in's own download URL. */
  readonly lookupUrl?: string;
}

/** What a caller gives to store a file. */
export interface NewMedia {
  readonly bytes: Buffer;
  readonly mimeType: string;
  readonly filename?: string;
  readonly phoneNumberId?: string;
  /** A download URL on another host for `GET /{media-id}` to answer (a lookup pointing the bridge elsewhere). */
  readonly lookupUrl?: string;
}

/** Path of download URLs, as on Meta's media host (`lookaside.fbsbx.com/whatsapp_business/attachments/`). */
export const MEDIA_DOWNLOAD_PATH = "/whatsapp_business/attachments/";

/** Meta's URLs stop working after 5 minutes. */
export const DEFAULT_MEDIA_URL_TTL_MS = 5 * 60 * 1000;

export type DownloadLookup = { readonly kind: "ok"; readonly media: StoredMedia } | { readonly kind: "expired" } | { readonly kind: "unknown" };

export class MediaStore {
  private readonly files = new Map<string, StoredMedia>();
  /** Signs download URLs so that a URL cannot be forged or extended by editing `ext`. */
  private readonly urlKey = randomBytes(32);

  constructor(private readonly urlTtlMs: number = DEFAULT_MEDIA_URL_TTL_MS) {}

  add(input: NewMedia): StoredMedia {
    let id: string;
    do id = String(randomInt(1, 2 ** 47)) + String(randomInt(100, 999));
    while (this.files.has(id));
    const media: StoredMedia = {
      id,
      mimeType: input.mimeType,
      bytes: input.bytes,
      sha256Hex: createHash("sha256").update(input.bytes).digest("hex"),
      sha256Base64: createHash("sha256").update(input.bytes).digest("base64"),
      ...(input.filename !== undefined ? { filename: input.filename } : {}),
      ...(input.phoneNumberId !== undefined ? { phoneNumberId: input.phoneNumberId } : {}),
      ...(input.lookupUrl !== undefined ? { lookupUrl: input.lookupUrl } : {}),
    };
    this.files.set(id, media);
    return media;
  }

  get(id: string): StoredMedia | undefined {
    return this.files.get(id);
  }

  delete(id: string): boolean {
    return this.files.delete(id);
  }

  get size(): number {
    return this.files.size;
  }

  /** A fresh download URL on `origin` (e.g. `http://127.0.0.1:PORT`), valid for the TTL from `now`. */
  downloadUrl(media: StoredMedia, origin: string, now: number): string {
    const ext = String(Math.floor((now + this.urlTtlMs) / 1000));
    const url = new URL(MEDIA_DOWNLOAD_PATH, origin);
    url.searchParams.set("mid", media.id);
    url.searchParams.set("ext", ext);
    url.searchParams.set("hash", this.sign(media.id, ext));
    return url.toString();
  }

  /** Resolves a download URL: the file, `expired` (valid signature, past `ext`), or `unknown`. */
  lookupDownload(url: URL, now: number): DownloadLookup {
    const id = url.searchParams.get("mid") ?? "";
    const ext = url.searchParams.get("ext") ?? "";
    const hash = url.searchParams.get("hash") ?? "";
    const media = this.files.get(id);
    if (!media || hash !== this.sign(id, ext)) return { kind: "unknown" };
    if (!/^\d+$/.test(ext) || Number(ext) * 1000 <= now) return { kind: "expired" };
    return { kind: "ok", media };
  }

  private sign(id: string, ext: string): string {
    return createHmac("sha256", this.urlKey).update(`${id}.${ext}`).digest("base64url").slice(0, 22);
  }
}
