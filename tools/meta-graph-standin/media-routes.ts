import type { IncomingMessage } from "node:http";
import { invalidParameterEnvelope, invalidTokenEnvelope, unsupportedRequestEnvelope } from "./meta-responses";
import type { MediaStore } from "./media-store";
import { MEDIA_DOWNLOAD_PATH } from "./media-store";
import { parseMultipart } from "./multipart";

/**
 * Meta's media endpoints (docs/protocols.md A12), as the stand-in answers them:
 * - `POST /{version}/{phone-number-id}/media` (multipart: messaging_product, file, type) → `{ id }`;
 * - `GET /{version}/{media-id}[?phone_number_id=]` → `{ messaging_product, url, mime_type, sha256, file_size, id }`
 *   with `file_size` a string and a URL valid for a limited time;
 * - `DELETE /{version}/{media-id}` → `{ success: true }`;
 * - `GET <url>` (path `/whatsapp_business/attachments/`) → the bytes, only with the Bearer token;
 *   404 once the URL has expired (the client then asks `GET /{media-id}` again).
 */

export interface MediaAnswer {
  readonly status: number;
  readonly body: string | Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface MediaContext {
  readonly store: MediaStore;
  readonly version: string;
  readonly authorised: boolean;
  readonly now: number;
  /** `http://127.0.0.1:PORT`: the host of download URLs. */
  readonly origin: string;
  readonly readBody: () => Promise<Buffer>;
}

const json = (status: number, value: unknown): MediaAnswer => ({
  status,
  body: JSON.stringify(value),
  headers: { "content-type": "application/json; charset=UTF-8" },
});

/** Answers a media request, or returns undefined when the request is not one of the media endpoints. */
export async function answerMediaRequest(request: IncomingMessage, url: URL, ctx: MediaContext): Promise<MediaAnswer | undefined> {
  const method = request.method ?? "GET";
  if (url.pathname === MEDIA_DOWNLOAD_PATH && method === "GET") return download(url, ctx);

  const parts = url.pathname.split("/").filter((p) => p !== "");
  if (parts[0] !== ctx.version) return undefined;
  if (parts.length === 3 && parts[2] === "media" && method === "POST") return upload(request, decodeURIComponent(parts[1] ?? ""), ctx);
  if (parts.length !== 2) return undefined;
  const mediaId = decodeURIComponent(parts[1] ?? "");
  // Other two-part paths (a WABA id, a template id…) belong to other handlers.
  if (!ctx.store.get(mediaId) || (method !== "GET" && method !== "DELETE")) return undefined;
  if (!ctx.authorised) return json(401, invalidTokenEnvelope());
  const media = ctx.store.get(mediaId)!;
  const owner = url.searchParams.get("phone_number_id");
  if (owner !== null && media.phoneNumberId !== undefined && owner !== media.phoneNumberId) {
    return json(400, invalidParameterEnvelope("The media does not belong to the phone number given in phone_number_id."));
  }
  if (method === "DELETE") {
    ctx.store.delete(mediaId);
    return json(200, { success: true });
  }
  return json(200, {
    messaging_product: "whatsapp",
    url: media.lookupUrl ?? ctx.store.downloadUrl(media, ctx.origin, ctx.now),
    mime_type: media.mimeType,
    sha256: media.sha256Hex,
    file_size: String(media.bytes.length),
    id: media.id,
  });
}

function download(url: URL, ctx: MediaContext): MediaAnswer {
  if (!ctx.authorised) return json(401, invalidTokenEnvelope());
  const found = ctx.store.lookupDownload(url, ctx.now);
  if (found.kind !== "ok")
    return { status: 404, body: found.kind === "expired" ? "URL expired" : "Not Found", headers: { "content-type": "text/plain; charset=utf-8" } };
  const media = found.media;
  return {
    status: 200,
    body: media.bytes,
    headers: {
      "content-type": media.mimeType,
      ...(media.filename ? { "content-disposition": `attachment; filename="${media.filename.replace(/["\\\r\n]/g, "_")}"` } : {}),
    },
  };
}

async function upload(request: IncomingMessage, phoneNumberId: string, ctx: MediaContext): Promise<MediaAnswer> {
  if (!ctx.authorised) return json(401, invalidTokenEnvelope());
  const contentType = request.headers["content-type"] ?? "";
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!contentType.toLowerCase().startsWith("multipart/form-data") || !boundary) {
    return json(400, invalidParameterEnvelope("The request must be multipart/form-data."));
  }
  const fields = parseMultipart(await ctx.readBody(), boundary[1] ?? boundary[2] ?? "");
  const field = (name: string) => fields.find((f) => f.name === name);
  if (field("messaging_product")?.data.toString("utf8") !== "whatsapp")
    return json(400, invalidParameterEnvelope("The parameter messaging_product is required."));
  const file = field("file");
  if (!file || file.data.length === 0) return json(400, invalidParameterEnvelope("The parameter file is required."));
  const mimeType = field("type")?.data.toString("utf8") || file.contentType;
  if (!mimeType) return json(400, invalidParameterEnvelope("The parameter type is required."));
  if (!phoneNumberId) return json(400, unsupportedRequestEnvelope("POST", "media"));
  const media = ctx.store.add({ bytes: file.data, mimeType, phoneNumberId, ...(file.filename ? { filename: file.filename } : {}) });
  return json(200, { id: media.id });
}
