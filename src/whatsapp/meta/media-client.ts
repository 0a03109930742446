import { createHash } from "node:crypto";
import { z } from "zod/v4";
import { WhatsAppSendError } from "../../core/errors";
import { WaMediaId, type BusinessNumberId } from "../../core/ids";
import { MediaFetchError } from "../../core/media-errors";
import type { DownloadedMedia } from "../../core/ports/whatsapp-media";
import { classifyGraphError, parseRetryAfter, transportError } from "./meta-errors";
import { redactToken } from "./meta-graph-client";

/**
 * Media through the Cloud API (docs/protocols.md A12): look a media id up, download the file from Meta's
 * media host, upload a file for sending. Downloads are where a webhook could steer the bridge's token
 * somewhere else, so they are strict (docs/security.md, adversarial cases 31–36): the URL's host must be on the configured
 * list, redirects are never followed, the size is capped before and while reading, and the whole
 * exchange has a time limit.
 */
export interface MediaClientOptions {
  /** Graph API base including the version. */
  readonly metaGraphUrl: string;
  readonly accessToken: string;
  /** Hosts media may be downloaded from: `host[:port]` exactly, or `.suffix` for any subdomain. */
  readonly mediaHosts: readonly string[];
  /** For the whole download, from request to last byte. Default 60 s. */
  readonly downloadTimeoutMs?: number;
  /** For the media-id lookup and uploads. Default 30 s. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

const mediaInfoSchema = z.looseObject({
  url: z.string().min(1),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  file_size: z.union([z.string(), z.number()]).optional(),
});
const uploadAnswerSchema = z.looseObject({ id: z.string().min(1) });

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(:\d+)?$/i;
/** Some Meta media hosts answer only when a User-Agent is sent (docs/protocols.md A12). */
const USER_AGENT = "whatsapp-teams-bridge/0.1";

/** True when `url` may be fetched with the token: https (http only to loopback) and a listed host. */
export function allowedMediaUrl(url: string, hosts: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    if (err instanceof TypeError) return false;
    throw err;
  }
  const host = parsed.host.toLowerCase();
  const hostname = parsed.hostname.toLowerCase();
  if (parsed.username || parsed.password) return false;
  if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && LOOPBACK.test(host))) return false;
  return hosts.some((entry) => {
    const h = entry.trim().toLowerCase();
    if (!h) return false;
    if (h.startsWith(".")) return hostname.endsWith(h) && hostname.length > h.length;
    return h === host || (!h.includes(":") && h === hostname && parsed.port === "");
  });
}

/** Compares a digest with the webhook's `sha256`, which Meta sends as base64 (hex is accepted too). */
export function sameDigest(expected: string, digest: Buffer): boolean {
  const e = expected.trim();
  if (/^[0-9a-f]{64}$/i.test(e)) return e.toLowerCase() === digest.toString("hex");
  const decoded = Buffer.from(e.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  return decoded.length === digest.length && decoded.equals(digest);
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch (err) {
    if (err instanceof TypeError) return "(invalid url)";
    throw err;
  }
};

export class MetaMediaClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: MediaClientOptions) {
    this.baseUrl = options.metaGraphUrl.replace(/\/+$/, "");
    this.fetchFn = options.fetch ?? fetch;
  }

  /** See `WhatsAppMediaPort.fetchMedia`. Rejects only with `MediaFetchError`. */
  async fetchMedia(request: { business: BusinessNumberId; mediaId: WaMediaId; maxBytes: number; expectedSha256?: string }): Promise<DownloadedMedia> {
    const info = await this.lookUp(request.business, request.mediaId);
    if (!allowedMediaUrl(info.url, this.options.mediaHosts)) {
      throw new MediaFetchError("refused", `media URL host ${hostOf(info.url)} is not an allowed media host`, {
        userMessage: `the file is on a host that is not allowed (${hostOf(info.url)})`,
      });
    }
    const declaredSize = info.file_size === undefined ? undefined : Number(info.file_size);
    if (declaredSize !== undefined && Number.isFinite(declaredSize) && declaredSize > request.maxBytes) {
      throw new MediaFetchError("too_large", `media of ${declaredSize} bytes exceeds the cap of ${request.maxBytes}`, { userMessage: "the file is too large" });
    }
    const bytes = await this.download(info.url, request.maxBytes);
    const digest = createHash("sha256").update(bytes).digest();
    return {
      bytes,
      ...(info.mime_type ? { mimeType: info.mime_type } : {}),
      sha256: digest.toString("hex"),
      ...(request.expectedSha256 ? { hashMatches: sameDigest(request.expectedSha256, digest) } : {}),
    };
  }

  /** `POST {metaGraphUrl}/{business}/media` (multipart) → the new media id. Rejects with `WhatsAppSendError`. */
  async uploadMedia(request: { business: BusinessNumberId; bytes: Uint8Array; mimeType: string; filename: string }): Promise<{ id: WaMediaId }> {
    const form = new FormData();
    form.set("messaging_product", "whatsapp");
    form.set("type", request.mimeType);
    form.set("file", new Blob([new Uint8Array(request.bytes)], { type: request.mimeType }), request.filename);
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const response = await this.fetchFn(`${this.baseUrl}/${encodeURIComponent(request.business)}/media`, {
        method: "POST",
        headers: { authorization: `Bearer ${this.options.accessToken}`, accept: "application/json" },
        body: form,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      retryAfter = response.headers.get("retry-after");
      text = this.redact(await response.text());
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
      throw transportError(timedOut ? "timeout" : "network", timeoutMs, err);
    }
    if (status < 200 || status > 299) throw classifyGraphError(status, text, parseRetryAfter(retryAfter));
    const parsed = uploadAnswerSchema.safeParse(safeJson(text));
    if (!parsed.success)
      throw new WhatsAppSendError("unknown", "media upload answered without an id", {
        retryable: false,
        userMessage: "WhatsApp accepted the file but did not return its id.",
      });
    return { id: WaMediaId(parsed.data.id) };
  }

  /** `GET {metaGraphUrl}/{media-id}?phone_number_id=…` → url, type, hash, size (the URL lives 5 minutes). */
  private async lookUp(business: BusinessNumberId, mediaId: WaMediaId): Promise<z.output<typeof mediaInfoSchema>> {
    const url = `${this.baseUrl}/${encodeURIComponent(mediaId)}?phone_number_id=${encodeURIComponent(business)}`;
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const response = await this.fetchFn(url, {
        headers: { authorization: `Bearer ${this.options.accessToken}`, accept: "application/json", "user-agent": USER_AGENT },
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      retryAfter = response.headers.get("retry-after");
      text = this.redact(await response.text());
    } catch (err) {
      throw new MediaFetchError("failed", `media lookup failed: ${err instanceof Error ? err.name : "error"}`, {
        userMessage: "WhatsApp could not be reached",
        cause: err,
      });
    }
    if (status < 200 || status > 299) {
      const classified = classifyGraphError(status, text, parseRetryAfter(retryAfter));
      // An unknown or expired media id is "(#100) … does not exist" (or 404): it will not come back.
      const gone = status === 404 || classified.metaCode === 100 || classified.metaCode === 131052;
      throw new MediaFetchError(gone ? "unavailable" : "failed", `media lookup answered HTTP ${status} (${classified.code})`, {
        userMessage: gone ? "the media id is unknown or expired" : classified.userMessage,
        ...(classified.retryAfterMs !== undefined ? { retryAfterMs: classified.retryAfterMs } : {}),
        cause: classified,
      });
    }
    const parsed = mediaInfoSchema.safeParse(safeJson(text));
    if (!parsed.success)
      throw new MediaFetchError("unavailable", "media lookup answer has no url", { userMessage: "WhatsApp gave no download address for the file" });
    return parsed.data;
  }

  /** GET with the token, no redirects, reading at most `maxBytes`, within the download time limit. */
  private async download(url: string, maxBytes: number): Promise<Buffer> {
    const timeoutMs = this.options.downloadTimeoutMs ?? 60_000;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error("download timed out")), timeoutMs);
    try {
      const response = await this.fetchFn(url, {
        headers: { authorization: `Bearer ${this.options.accessToken}`, "user-agent": USER_AGENT },
        redirect: "manual",
        signal: abort.signal,
      });
      if (response.status >= 300 && response.status < 400) {
        abort.abort();
        throw new MediaFetchError("refused", `media download answered a redirect (HTTP ${response.status}), not followed`, {
          userMessage: "the media host answered with a redirect",
        });
      }
      if (response.status < 200 || response.status > 299) {
        abort.abort();
        throw new MediaFetchError("failed", `media download answered HTTP ${response.status}`, {
          userMessage: `the media host answered HTTP ${response.status}`,
        });
      }
      const declared = Number(response.headers.get("content-length") ?? NaN);
      if (declared > maxBytes) {
        abort.abort();
        throw new MediaFetchError("too_large", `media of ${declared} bytes exceeds the cap of ${maxBytes}`, { userMessage: "the file is too large" });
      }
      return await readCapped(response, maxBytes, abort);
    } catch (err) {
      if (err instanceof MediaFetchError) throw err;
      const timedOut = abort.signal.aborted;
      throw new MediaFetchError("failed", `media download ${timedOut ? `timed out after ${timeoutMs} ms` : "failed"}`, {
        userMessage: timedOut ? `the download took longer than ${Math.round(timeoutMs / 1000)} s` : "the media host could not be reached",
        cause: err,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  private redact(text: string): string {
    return redactToken(text, this.options.accessToken);
  }
}

/** Reads the body, stopping (and refusing) as soon as it passes `maxBytes`: a chunked body has no length. */
async function readCapped(response: Response, maxBytes: number, abort: AbortController): Promise<Buffer> {
  const reader = response.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      abort.abort();
      throw new MediaFetchError("too_large", `media body passed the cap of ${maxBytes} bytes`, { userMessage: "the file is too large" });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}
