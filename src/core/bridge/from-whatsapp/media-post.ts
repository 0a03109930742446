import { BridgeError, describeError } from "../../errors";
import type { Block, FormattedText } from "../../formatted-text";
import { maskId, WaMediaId } from "../../ids";
import { MediaFetchError } from "../../media-errors";
import { baseMimeType, checkMediaType, formatBytes, INLINE_IMAGE_MAX_BYTES, MEDIA_SIZE_CAPS, mediaFileName } from "../../media-types";
import { conversationKeyOf, type InboundContent, type InboundMessage } from "../../messages";
import type { ChannelLink } from "../../model";
import type { Logger } from "../../ports/logger";
import type { KeptMedia, MediaStore } from "../../ports/media-store";
import type { WhatsAppGateway } from "../../ports/whatsapp-gateway";
import { bold, italic, link, lines, p, t } from "../thread-view/thread-text";

type MediaContent = Extract<InboundContent, { kind: "media" }>;

/** An image to show inline under its message (posted as its own activity: text + image would be split). */
export interface InlineImage {
  readonly bytes: Uint8Array;
  readonly mimeType: string;
  readonly name: string;
}

/** What happened to a customer's file. */
export type MediaOutcome =
  | { readonly status: "kept"; readonly name: string; readonly mimeType: string; readonly kept: KeptMedia; readonly inline?: InlineImage }
  /** Kept apart: the hash or the real type did not match what was announced (security case 33). */
  | { readonly status: "quarantined"; readonly name: string; readonly mimeType: string; readonly kept: KeptMedia; readonly problem: string }
  /** Not kept; `retry` says whether the bridge tries again. */
  | { readonly status: "failed"; readonly problem: string; readonly retry: boolean };

const INLINE_TYPES = new Set(["image/jpeg", "image/png", "image/gif"]);
const NOUN: Readonly<Record<string, string>> = { image: "image", audio: "audio file", video: "video", document: "document", sticker: "sticker" };

function nounOf(content: MediaContent): string {
  return content.media === "audio" && content.voice ? "voice message" : NOUN[content.media] ?? "file";
}

/**
 * Downloads a customer's file and keeps it: within the size cap of its type, checked against the
 * webhook's SHA-256 and by its magic bytes. A file that fails a check is kept in quarantine and never
 * shown inline. Failures come back as an outcome (never thrown), saying whether a retry may help.
 */
export async function keepInboundMedia(
  ctx: { whatsapp: WhatsAppGateway; media?: MediaStore; logger: Logger },
  link: ChannelLink,
  message: InboundMessage,
  content: MediaContent,
): Promise<MediaOutcome> {
  const { whatsapp, media, logger } = ctx;
  const noun = nounOf(content);
  if (!media) return { status: "failed", problem: `This bridge has no media store configured, so the ${noun} was not kept.`, retry: false };
  const cap = MEDIA_SIZE_CAPS[content.media];
  const logFields = { business: message.business, contact: maskId(message.contact.key), media: content.media };
  try {
    const fetched = await whatsapp.fetchMedia({
      business: message.business,
      mediaId: WaMediaId(content.mediaId),
      maxBytes: cap,
      ...(content.sha256 ? { expectedSha256: content.sha256 } : {}),
    });
    const declared = baseMimeType(content.mimeType) ?? baseMimeType(fetched.mimeType);
    const typeCheck = checkMediaType(declared, fetched.bytes);
    const wrongFamily = (content.media === "image" || content.media === "sticker") && !(typeCheck.actual ?? "").startsWith("image/");
    const problems: string[] = [];
    if (fetched.hashMatches === false) problems.push("its SHA-256 does not match the one WhatsApp announced");
    if (!typeCheck.ok || wrongFamily) problems.push(`it was declared as ${declared ?? content.media} but its bytes are ${typeCheck.actual ?? "of an unknown type"}`);
    const name = mediaFileName(content.media, declared, message.timestamp, content.filename);
    const mimeType = typeCheck.actual ?? declared ?? "application/octet-stream";
    const quarantined = problems.length > 0;
    const kept = await media.keep({
      bytes: fetched.bytes,
      name,
      mimeType: quarantined ? "application/octet-stream" : mimeType,
      channel: link.channel,
      ...(link.teamGroupId ? { teamGroupId: link.teamGroupId } : {}),
      contact: conversationKeyOf(message),
      wamid: message.id,
      ...(quarantined ? { quarantined: true } : {}),
    });
    if (quarantined) {
      logger.warn("whatsapp.media.integrity_failed", { ...logFields, problems: problems.join("; ") });
      return { status: "quarantined", name, mimeType: declared ?? "unknown", kept, problem: problems.join("; and ") };
    }
    const showInline = content.media === "image" && INLINE_TYPES.has(mimeType) && fetched.bytes.length <= INLINE_IMAGE_MAX_BYTES;
    logger.info("whatsapp.media.kept", { ...logFields, size: kept.size });
    return { status: "kept", name, mimeType, kept, ...(showInline ? { inline: { bytes: fetched.bytes, mimeType, name } } : {}) };
  } catch (err) {
    logger.warn("whatsapp.media.failed", { ...logFields, error: describeError(err) });
    return failure(err, noun, cap);
  }
}

function failure(err: unknown, noun: string, cap: number): MediaOutcome {
  if (err instanceof MediaFetchError) {
    switch (err.reason) {
      case "too_large":
        return { status: "failed", problem: `The ${noun} is larger than WhatsApp's limit for its type (${formatBytes(cap)}), so it was not downloaded. Ask the customer to share it another way.`, retry: false };
      case "unavailable":
        return { status: "failed", problem: `WhatsApp no longer has this ${noun} (its media id has expired or is unknown), so it could not be kept. Ask the customer to send it again.`, retry: false };
      case "refused":
        return { status: "failed", problem: `The download of this ${noun} was refused by the bridge's security rules (${err.userMessage}), so it was not kept. Your bridge admin can see why in the log.`, retry: false };
      case "failed":
        return { status: "failed", problem: `The ${noun} could not be downloaded from WhatsApp yet (${err.userMessage}).`, retry: true };
    }
  }
  const retry = err instanceof BridgeError ? err.retryable : true;
  const why = err instanceof BridgeError ? err.userMessage : "an unexpected error";
  return { status: "failed", problem: `The ${noun} could not be kept (${why}).`, retry };
}

/** The lines describing a kept file: name, type, size, link and SHA-256. */
function fileLines(name: string, mimeType: string, kept: KeptMedia): Block {
  return p(
    t("📎 "), bold(name), t(` · ${mimeType} · ${formatBytes(kept.size)}`), { kind: "break" },
    bold("Link: "), link(kept.link), { kind: "break" },
    bold("SHA-256: "), t(kept.sha256),
  );
}

/** The text of a media message: caption, then what happened to the file. */
export function mediaBody(content: MediaContent, outcome: MediaOutcome, retrying: boolean): FormattedText {
  const caption = content.captionBody ? [...content.captionBody] : lines(content.caption);
  switch (outcome.status) {
    case "kept":
      return [...caption, fileLines(outcome.name, outcome.mimeType, outcome.kept)];
    case "quarantined":
      return [
        ...caption,
        p(bold("⚠️ Integrity check failed: "), t(`${outcome.problem}. The file was kept apart (quarantined) for the record and is not shown; do not open it unless you trust where it came from.`)),
        fileLines(outcome.name, outcome.mimeType, outcome.kept),
      ];
    case "failed":
      return [
        ...caption,
        p(bold("⚠️ File not kept: "), t(outcome.problem)),
        ...(retrying ? [p(italic("The bridge keeps trying and will post the file in this thread when it has it."))] : []),
      ];
  }
}
