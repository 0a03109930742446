import { BridgeError, describeError } from "../../errors";
import type { Block, FormattedText, Inline } from "../../formatted-text";
import { maskId, WaMediaId } from "../../ids";
import { MediaFetchError } from "../../media-errors";
import { baseMimeType, checkMediaType, formatBytes, INLINE_IMAGE_MAX_BYTES, MEDIA_SIZE_CAPS, mediaFileName } from "../../media-types";
import { conversationKeyOf, type InboundContent, type InboundMessage } from "../../messages";
import type { ChannelLink } from "../../model";
import type { Logger } from "../../ports/logger";
import type { KeptMedia, MediaStore } from "../../ports/media-store";
import type { WhatsAppGateway } from "../../ports/whatsapp-gateway";
import { classifyFile, DEFAULT_RISKY_FILES } from "../../risky-files";
import type { BridgeSettings } from "../../settings";
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
  /** Kept and linked; `risk`: a risky file under the `flag` policy (the post warns). */
  | {
      readonly status: "kept";
      readonly name: string;
      readonly mimeType: string;
      readonly kept: KeptMedia;
      readonly inline?: InlineImage;
      readonly risk?: readonly string[];
    }
  /**
   * Kept apart and not linked: the hash or the real type did not match what was announced (`integrity`,
   * docs/security.md, adversarial case 33), or a risky file under the `quarantine` or `block` policy (`risk`, `blocked`).
   */
  | {
      readonly status: "quarantined";
      readonly name: string;
      readonly mimeType: string;
      readonly kept: KeptMedia;
      readonly integrity?: string;
      readonly risk?: readonly string[];
      readonly blocked?: boolean;
    }
  /** Not kept; `retry` says whether the bridge tries again. */
  | { readonly status: "failed"; readonly problem: string; readonly retry: boolean };

const INLINE_TYPES = new Set(["image/jpeg", "image/png", "image/gif"]);
const NOUN: Readonly<Record<string, string>> = { image: "image", audio: "audio file", video: "video", document: "document", sticker: "sticker" };

function nounOf(content: MediaContent): string {
  return content.media === "audio" && content.voice ? "voice message" : (NOUN[content.media] ?? "file");
}

/**
 * Downloads a customer's file and keeps it: within the size cap of its type, checked against the
 * webhook's SHA-256 and by its magic bytes, and classified (risky-files.ts). A file that fails a check,
 * or is risky under the `quarantine` or `block` policy, is kept in quarantine, never linked and never
 * shown inline; a risky file under `flag` is kept and linked with a warning. Failures come back as an
 * outcome (never thrown), saying whether a retry may help.
 */
export async function keepInboundMedia(
  ctx: { whatsapp: WhatsAppGateway; media?: MediaStore; logger: Logger; settings?: Pick<BridgeSettings, "riskyFiles"> },
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
    if (!typeCheck.ok || wrongFamily)
      problems.push(`it was declared as ${declared ?? content.media} but its bytes are ${typeCheck.actual ?? "of an unknown type"}`);
    const name = mediaFileName(content.media, declared, message.timestamp, content.filename);
    const mimeType = typeCheck.actual ?? declared ?? "application/octet-stream";
    const riskyFiles = ctx.settings?.riskyFiles ?? DEFAULT_RISKY_FILES;
    const verdict = classifyFile(
      { name, bytes: fetched.bytes, ...(declared ? { declaredMime: declared } : {}), ...(typeCheck.actual ? { actualMime: typeCheck.actual } : {}) },
      riskyFiles.extensions,
    );
    const risk = verdict.risky ? verdict.reasons : undefined;
    const quarantined = problems.length > 0 || (risk !== undefined && riskyFiles.policy !== "flag");
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
    if (problems.length > 0) logger.warn("whatsapp.media.integrity_failed", { ...logFields, problems: problems.join("; ") });
    if (risk) logger.warn("whatsapp.media.risky", { ...logFields, policy: riskyFiles.policy, reasons: risk.length });
    if (quarantined) {
      return {
        status: "quarantined",
        name,
        mimeType: declared ?? "unknown",
        kept,
        ...(problems.length > 0 ? { integrity: problems.join("; and ") } : {}),
        ...(risk ? { risk, ...(riskyFiles.policy === "block" ? { blocked: true } : {}) } : {}),
      };
    }
    const showInline = !risk && content.media === "image" && INLINE_TYPES.has(mimeType) && fetched.bytes.length <= INLINE_IMAGE_MAX_BYTES;
    logger.info("whatsapp.media.kept", { ...logFields, size: kept.size });
    return { status: "kept", name, mimeType, kept, ...(showInline ? { inline: { bytes: fetched.bytes, mimeType, name } } : {}), ...(risk ? { risk } : {}) };
  } catch (err) {
    logger.warn("whatsapp.media.failed", { ...logFields, error: describeError(err) });
    return failure(err, noun, cap);
  }
}

function failure(err: unknown, noun: string, cap: number): MediaOutcome {
  if (err instanceof MediaFetchError) {
    switch (err.reason) {
      case "too_large":
        return {
          status: "failed",
          problem: `The ${noun} is larger than WhatsApp's limit for its type (${formatBytes(cap)}), so it was not downloaded. Ask the customer to share it another way.`,
          retry: false,
        };
      case "unavailable":
        return {
          status: "failed",
          problem: `WhatsApp no longer has this ${noun} (its media id has expired or is unknown), so it could not be kept. Ask the customer to send it again.`,
          retry: false,
        };
      case "refused":
        return {
          status: "failed",
          problem: `The download of this ${noun} was refused by the bridge's security rules (${err.userMessage}), so it was not kept. Your bridge admin can see why in the log.`,
          retry: false,
        };
      case "failed":
        return { status: "failed", problem: `The ${noun} could not be downloaded from WhatsApp yet (${err.userMessage}).`, retry: true };
    }
  }
  const retry = err instanceof BridgeError ? err.retryable : true;
  const why = err instanceof BridgeError ? err.userMessage : "an unexpected error";
  return { status: "failed", problem: `The ${noun} could not be kept (${why}).`, retry };
}

/** The lines describing a kept file: name, type, size, link (when given) or where it is kept, and SHA-256. */
function fileLines(name: string, mimeType: string, kept: KeptMedia, where: "link" | "location" | "none"): Block {
  const place: Inline[] =
    where === "link" && kept.link
      ? [bold("Link: "), link(kept.link), { kind: "break" }]
      : where === "location" && kept.location
        ? [bold("Kept apart in: "), t(kept.location), { kind: "break" }]
        : [];
  return p(t("📎 "), bold(name), t(` · ${mimeType} · ${formatBytes(kept.size)}`), { kind: "break" }, ...place, bold("SHA-256: "), t(kept.sha256));
}

/** Why a risky file was flagged, one reason after another. */
const riskText = (risk: readonly string[]) => `${risk.join("; ")}.`;

/** The warnings above a quarantined file, and what staff can do. */
function quarantineLines(outcome: Extract<MediaOutcome, { status: "quarantined" }>): Block[] {
  const lines: Block[] = [];
  if (outcome.integrity) lines.push(p(bold("⚠️ Integrity check failed: "), t(`${outcome.integrity}.`)));
  if (outcome.risk) lines.push(p(bold(outcome.blocked ? "⛔ Blocked file: " : "⚠️ Risky file: "), t(riskText(outcome.risk))));
  lines.push(
    p(
      italic(
        outcome.blocked
          ? "Your firm does not accept this type of file from customers. It is kept for the record only and is not available in Teams. Do not ask for it to be released; ask the customer to send the content another way (for example as a PDF or a picture)."
          : "The file was kept apart (quarantined) for the record and is not linked here, so that it cannot be opened by mistake. If you need it, ask your security team to check it and release it: they find it by its SHA-256.",
      ),
    ),
  );
  return lines;
}

/** The text of a media message: caption, then what happened to the file. */
export function mediaBody(content: MediaContent, outcome: MediaOutcome, retrying: boolean): FormattedText {
  const caption = content.captionBody ? [...content.captionBody] : lines(content.caption);
  switch (outcome.status) {
    case "kept":
      if (!outcome.risk) return [...caption, fileLines(outcome.name, outcome.mimeType, outcome.kept, "link")];
      return [
        ...caption,
        p(bold("⚠️ Risky file: "), t(riskText(outcome.risk))),
        p(italic("Open it only if you expected this file from this customer and trust where it came from; your security team can check it first.")),
        fileLines(outcome.name, outcome.mimeType, outcome.kept, "link"),
      ];
    case "quarantined":
      return [...caption, ...quarantineLines(outcome), fileLines(outcome.name, outcome.mimeType, outcome.kept, outcome.blocked ? "none" : "location")];
    case "failed":
      return [
        ...caption,
        p(bold("⚠️ File not kept: "), t(outcome.problem)),
        ...(retrying ? [p(italic("The bridge keeps trying and will post the file in this thread when it has it."))] : []),
      ];
  }
}
