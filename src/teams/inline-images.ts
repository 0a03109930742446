import type { Activity, Attachment, TurnContext } from "botbuilder";
import { describeError } from "../core/errors";
import { baseMimeType, sniffMediaType } from "../core/media-types";
import type { Logger } from "../core/ports/logger";
import type { StaffImage } from "../core/staff-message";
import { allowedServiceUrlHost, hostForLog } from "./service-url";

/**
 * Images pasted into a Teams message arrive as attachments `{ contentType: "image/*", contentUrl:
 * "https://<service host>/v3/attachments/<id>/views/original" }` that only the bot's own token opens
 * (docs/protocols.md B9). Files attached in channels never reach bots at all; those are counted, not fetched.
 */

/** Largest pasted image fetched (WhatsApp takes documents up to 100 MB, but a pasted picture is far smaller). */
const MAX_IMAGE_BYTES = 16 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 30_000;

/** True for a pasted (inline) image: an `image/*` attachment with a `contentUrl` to fetch. */
export function isInlineImage(attachment: Attachment | undefined): boolean {
  return (
    !!attachment &&
    typeof attachment.contentType === "string" &&
    attachment.contentType.toLowerCase().startsWith("image/") &&
    typeof attachment.contentUrl === "string"
  );
}

/** The bot's `Authorization` header for the turn's Bot Connector (none when authentication is disabled). */
async function botAuthorization(ctx: TurnContext): Promise<string | undefined> {
  const key = (ctx.adapter as unknown as { ConnectorClientKey?: symbol }).ConnectorClientKey;
  const connector = key ? (ctx.turnState.get(key) as { credentials?: { signRequest?: (resource: unknown) => Promise<unknown> } } | undefined) : undefined;
  const signRequest = connector?.credentials?.signRequest?.bind(connector.credentials);
  if (!signRequest) return undefined;
  let header: string | undefined;
  // botframework-connector's credentials sign a request by setting its Authorization header.
  await signRequest({
    headers: {
      set: (name: string, value: string) => {
        if (name.toLowerCase() === "authorization") header = value;
      },
    },
  });
  return header;
}

async function readCapped(response: Response, max: number): Promise<Buffer | undefined> {
  const reader = response.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
}

const EXTENSION: Readonly<Record<string, string>> = { "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp" };

/**
 * Fetches the pasted images of the turn's activity with the bot's token: only from allowed Teams
 * service hosts (the token never goes anywhere else), without following redirects, size-capped and
 * time-limited. Failures become one plain sentence each, for the sender.
 */
export async function fetchInlineImages(
  ctx: TurnContext,
  options: { serviceUrlHosts: readonly string[]; logger: Logger },
): Promise<{ images: StaffImage[]; problems: string[] }> {
  const attachments = (ctx.activity as Partial<Activity>).attachments?.filter(isInlineImage) ?? [];
  const images: StaffImage[] = [];
  const problems: string[] = [];
  if (attachments.length === 0) return { images, problems };
  const authorization = await botAuthorization(ctx);
  for (const [n, attachment] of attachments.entries()) {
    const url = attachment.contentUrl!;
    const label = `image ${n + 1}`;
    if (!allowedServiceUrlHost(url, options.serviceUrlHosts)) {
      options.logger.warn("teams.image.host_refused", { host: hostForLog(url) });
      problems.push(`${label} is stored where the bridge may not fetch it`);
      continue;
    }
    try {
      const response = await fetch(url, { headers: authorization ? { authorization } : {}, redirect: "manual", signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (response.status !== 200) {
        await response.body?.cancel();
        problems.push(`${label} could not be fetched from Teams (HTTP ${response.status})`);
        continue;
      }
      const bytes = await readCapped(response, MAX_IMAGE_BYTES);
      if (!bytes) {
        problems.push(`${label} is too large`);
        continue;
      }
      // Teams often says only `image/*`: the bytes tell the real type.
      const sniffed = sniffMediaType(bytes);
      const declared = baseMimeType(response.headers.get("content-type") ?? attachment.contentType);
      const mimeType = sniffed?.startsWith("image/") ? sniffed : declared && declared !== "image/*" ? declared : "application/octet-stream";
      const name = attachment.name?.trim() || `image-${n + 1}.${EXTENSION[mimeType] ?? "bin"}`;
      images.push({ name, mimeType, bytes });
    } catch (err) {
      options.logger.warn("teams.image.fetch_failed", { error: describeError(err) });
      problems.push(`${label} could not be fetched from Teams`);
    }
  }
  return { images, problems };
}
