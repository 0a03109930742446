import { z } from "zod/v4";
import { WhatsAppSendError, type WhatsAppFailureKind } from "../../core/errors";
import type { FormattedText } from "../../core/formatted-text";
import { BusinessNumberId, GroupRequestId, WaMessageId, type WaGroupId, type WaMediaId } from "../../core/ids";
import type { MediaKind } from "../../core/messages";
import type { BusinessNumberInfo, GroupDetails, Recipient, SentText, WhatsAppGateway } from "../../core/ports/whatsapp-gateway";
import type { DownloadedMedia } from "../../core/ports/whatsapp-media";
import { MetaMediaClient } from "./media-client";
import { splitWhatsAppText } from "./text-split";
import { MetaGraphClient } from "./meta-graph-client";
import { templatePayload, templatesPageSchema, toMessageTemplate } from "./templates-api";
import { toWhatsAppText } from "./whatsapp-markup";
import type { MessageTemplate, TemplateValues } from "../../core/templates";

export interface CloudApiGatewayOptions {
  /** Graph API base including the version, e.g. `https://graph.facebook.com/v25.0` (docs/protocols.md A1: pin the version). */
  readonly metaGraphUrl: string;
  /** System-user token, sent as `Authorization: Bearer …`; never put in errors. */
  readonly accessToken: string;
  /** WhatsApp Business Account id, for listing its numbers. */
  readonly businessAccountId?: string;
  /** Per request, including reading the answer. Default 15 s. */
  readonly timeoutMs?: number;
  /** Injected for tests; defaults to the global `fetch` (Node 20). */
  readonly fetch?: typeof fetch;
  /** Hosts customers' media may be downloaded from (WHATSAPP_MEDIA_HOSTS); none: every download is refused. */
  readonly mediaHosts?: readonly string[];
  /** Time limit of one media download. Default 60 s. */
  readonly mediaDownloadTimeoutMs?: number;
}

/** A text message body may have at most 4,096 characters (docs/protocols.md A10). */
export const MAX_TEXT_CHARS = 4096;
/** A media caption may have at most 1,024 characters (docs/protocols.md A10). */
export const MAX_CAPTION_CHARS = 1024;
/** `biz_opaque_callback_data` is echoed in status webhooks; at most 512 bytes (docs/protocols.md A8). */
export const MAX_CALLBACK_BYTES = 512;

const sendResponseSchema = z.looseObject({ messages: z.array(z.looseObject({ id: z.string().min(1) })).min(1) });
const phoneNumbersPageSchema = z.looseObject({
  data: z.array(z.looseObject({ id: z.string().min(1), display_phone_number: z.string(), verified_name: z.string().optional() })),
  paging: z.looseObject({ cursors: z.looseObject({ after: z.string().optional() }).optional(), next: z.string().optional() }).optional(),
});

const createGroupResponseSchema = z.looseObject({ request_id: z.string().min(1) });
const groupDetailsSchema = z.looseObject({
  subject: z.string().optional(),
  description: z.string().optional(),
  total_participant_count: z.coerce.number().int().min(0).optional(),
  participants: z.array(z.unknown()).optional(),
});
/** A group subject may have at most 128 characters (Groups API, docs/protocols.md). */
export const MAX_GROUP_SUBJECT_CHARS = 128;

/** A call refused here, without asking Meta (`content` or `recipient`), or an answer Meta gave in an unexpected form (`unknown`). */
function refuse(message: string, userMessage: string, kind: WhatsAppFailureKind = "content"): WhatsAppSendError {
  return new WhatsAppSendError(kind, message, { retryable: false, userMessage });
}

/**
 * `WhatsAppGateway` over Meta's WhatsApp Cloud API (Graph API, docs/protocols.md A10/A16). Every method does
 * one or more HTTPS calls and rejects only with `WhatsAppSendError`, classified by Meta's `error.code`.
 */
export class CloudApiWhatsAppGateway implements WhatsAppGateway {
  private readonly graph: MetaGraphClient;
  private readonly media: MetaMediaClient;

  constructor(private readonly options: CloudApiGatewayOptions) {
    this.graph = new MetaGraphClient(options);
    this.media = new MetaMediaClient({
      metaGraphUrl: options.metaGraphUrl,
      accessToken: options.accessToken,
      mediaHosts: options.mediaHosts ?? [],
      ...(options.mediaDownloadTimeoutMs !== undefined ? { downloadTimeoutMs: options.mediaDownloadTimeoutMs } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  /**
   * `POST {metaGraphUrl}/{business}/messages` with a text body rendered as WhatsApp markup. The recipient is
   * `to: "+<phone>"` when the phone is known, else `recipient: <BSUID>` (docs/protocols.md A6). Resolves with the wamid
   * once Meta *accepted* the message. A text over 4,096 characters is sent as several messages split at
   * paragraph boundaries, in order (`parts`; `replyTo` applies to the first). Refuses locally, without
   * calling Meta, an empty text, callback data over 512 bytes and a recipient with neither phone nor
   * BSUID. If a later part fails, the error says how many parts were sent.
   */
  async sendText(request: { business: BusinessNumberId; to: Recipient; body: FormattedText; replyTo?: WaMessageId; callbackData?: string }): Promise<SentText> {
    const text = toWhatsAppText(request.body);
    if (Array.from(text).length === 0) throw refuse("empty text message", "Not sent: the message is empty.");
    this.checkCallbackData(request.callbackData);
    const parts = splitWhatsAppText(text, MAX_TEXT_CHARS);
    const ids: WaMessageId[] = [];
    for (const [n, part] of parts.entries()) {
      try {
        ids.push(
          await this.sendMessage(
            request.business,
            request.to,
            { type: "text", text: { body: part, preview_url: false } },
            n === 0 ? request.replyTo : undefined,
            request.callbackData,
          ),
        );
      } catch (err) {
        if (n === 0 || !(err instanceof WhatsAppSendError)) throw err;
        // Not `notApplied`: the earlier parts did reach WhatsApp.
        throw new WhatsAppSendError(err.failure, `part ${n + 1} of ${parts.length} failed: ${err.message}`, {
          ...(err.metaCode !== undefined ? { metaCode: err.metaCode } : {}),
          retryable: false,
          userMessage: `Only the first ${n} of ${parts.length} parts of this long message reached WhatsApp. ${err.userMessage} Send the rest again as a new message.`,
          cause: err,
        });
      }
    }
    return ids.length > 1 ? { id: ids[0]!, parts: ids } : { id: ids[0]! };
  }

  renderText(body: FormattedText): string {
    return toWhatsAppText(body);
  }

  /** `POST …/messages` of an uploaded media file (`{ <kind>: { id, caption?, filename? } }`). */
  async sendMedia(request: {
    business: BusinessNumberId;
    to: Recipient;
    kind: MediaKind;
    mediaId: WaMediaId;
    caption?: FormattedText;
    filename?: string;
    replyTo?: WaMessageId;
    callbackData?: string;
  }): Promise<{ id: WaMessageId }> {
    this.checkCallbackData(request.callbackData);
    const caption = request.caption ? toWhatsAppText(request.caption) : "";
    if (Array.from(caption).length > MAX_CAPTION_CHARS)
      throw refuse(`caption over ${MAX_CAPTION_CHARS} characters`, `Not sent: a caption may have at most ${MAX_CAPTION_CHARS} characters.`);
    const captioned = request.kind === "image" || request.kind === "video" || request.kind === "document";
    const media = {
      id: request.mediaId,
      ...(caption && captioned ? { caption } : {}),
      ...(request.kind === "document" && request.filename ? { filename: request.filename } : {}),
    };
    return { id: await this.sendMessage(request.business, request.to, { type: request.kind, [request.kind]: media }, request.replyTo, request.callbackData) };
  }

  /** `POST …/messages` of type `reaction` (an empty emoji removes it). A reaction cannot be a contextual reply (docs/protocols.md A10). */
  async sendReaction(request: {
    business: BusinessNumberId;
    to: Recipient;
    target: WaMessageId;
    emoji: string;
    callbackData?: string;
  }): Promise<{ id: WaMessageId }> {
    this.checkCallbackData(request.callbackData);
    return {
      id: await this.sendMessage(
        request.business,
        request.to,
        { type: "reaction", reaction: { message_id: request.target, emoji: request.emoji } },
        undefined,
        request.callbackData,
      ),
    };
  }

  fetchMedia(request: { business: BusinessNumberId; mediaId: WaMediaId; maxBytes: number; expectedSha256?: string }): Promise<DownloadedMedia> {
    return this.media.fetchMedia(request);
  }

  uploadMedia(request: { business: BusinessNumberId; bytes: Uint8Array; mimeType: string; filename: string }): Promise<{ id: WaMediaId }> {
    return this.media.uploadMedia(request);
  }

  private checkCallbackData(callbackData: string | undefined): void {
    if (callbackData !== undefined && Buffer.byteLength(callbackData, "utf8") > MAX_CALLBACK_BYTES) {
      throw refuse(`callback data exceeds ${MAX_CALLBACK_BYTES} bytes`, "Not sent: an internal error occurred (tracking data too long).");
    }
  }

  /** One `POST …/messages` with `payload` (`type` and its object); resolves with the accepted wamid. */
  private async sendMessage(
    business: BusinessNumberId,
    to: Recipient,
    payload: Record<string, unknown>,
    replyTo: WaMessageId | undefined,
    callbackData: string | undefined,
  ): Promise<WaMessageId> {
    const body = {
      messaging_product: "whatsapp",
      ...this.addressOf(to),
      ...payload,
      ...(replyTo ? { context: { message_id: replyTo } } : {}),
      ...(callbackData !== undefined ? { biz_opaque_callback_data: callbackData } : {}),
    };
    const answer = await this.graph.call("POST", `${this.graph.baseUrl}/${encodeURIComponent(business)}/messages`, body);
    const parsed = sendResponseSchema.safeParse(answer);
    const id = parsed.success ? parsed.data.messages[0]?.id : undefined;
    if (!id) {
      throw refuse(
        "Graph API accepted the send but returned no message id",
        "WhatsApp accepted the request but did not confirm the message. Check whether the customer received it before sending again.",
        "unknown",
      );
    }
    return WaMessageId(id);
  }

  /** `GET {metaGraphUrl}/{waba}/phone_numbers`, following cursor pages; `[]` when no WABA id is configured. */
  async listBusinessNumbers(): Promise<BusinessNumberInfo[]> {
    const rows = await this.graph.wabaPages(
      this.options.businessAccountId,
      "phone_numbers?fields=id,display_phone_number,verified_name",
      phoneNumbersPageSchema,
      "business numbers",
    );
    return rows.map((n) => ({
      id: BusinessNumberId(n.id),
      displayNumber: n.display_phone_number,
      ...(n.verified_name ? { verifiedName: n.verified_name } : {}),
    }));
  }

  /** `POST {metaGraphUrl}/{business}/messages` of type `template` (the only type allowed outside the 24-hour window). */
  async sendTemplate(request: {
    business: BusinessNumberId;
    to: Recipient;
    template: MessageTemplate;
    values: TemplateValues;
    callbackData?: string;
  }): Promise<{ id: WaMessageId }> {
    this.checkCallbackData(request.callbackData);
    const payload = { type: "template", template: templatePayload(request.template, request.values) };
    return { id: await this.sendMessage(request.business, request.to, payload, undefined, request.callbackData) };
  }

  /** `GET {metaGraphUrl}/{waba}/message_templates` (APPROVED only), following cursor pages; `[]` without a WABA id. */
  async listTemplates(): Promise<MessageTemplate[]> {
    const rows = await this.graph.wabaPages(
      this.options.businessAccountId,
      "message_templates?fields=name,language,status,category,components&status=APPROVED&limit=100",
      templatesPageSchema,
      "templates",
    );
    return rows.map(toMessageTemplate).filter((t): t is MessageTemplate => t !== undefined);
  }

  /** `POST {metaGraphUrl}/{business}/groups`: the group and its invite link are announced by a `group_lifecycle_update` webhook. */
  async createGroup(request: { business: BusinessNumberId; subject: string; description?: string }): Promise<{ requestId: GroupRequestId }> {
    const subject = request.subject.trim();
    if (!subject) throw refuse("empty group subject", "Not created: a WhatsApp group needs a subject.");
    if (Array.from(subject).length > MAX_GROUP_SUBJECT_CHARS)
      throw refuse(
        `group subject over ${MAX_GROUP_SUBJECT_CHARS} characters`,
        `Not created: a group subject may have at most ${MAX_GROUP_SUBJECT_CHARS} characters.`,
      );
    const answer = await this.graph.call("POST", `${this.graph.baseUrl}/${encodeURIComponent(request.business)}/groups`, {
      messaging_product: "whatsapp",
      subject,
      ...(request.description ? { description: request.description } : {}),
    });
    const parsed = createGroupResponseSchema.safeParse(answer);
    if (!parsed.success)
      throw refuse(
        "Graph API accepted the group request but returned no request id",
        "WhatsApp accepted the request but did not confirm it; check in WhatsApp Manager before trying again.",
        "unknown",
      );
    return { requestId: GroupRequestId(parsed.data.request_id) };
  }

  /** `GET {metaGraphUrl}/{group_id}?fields=subject,description,total_participant_count`. */
  async groupDetails(request: { business: BusinessNumberId; group: WaGroupId }): Promise<GroupDetails> {
    const answer = await this.graph.call(
      "GET",
      `${this.graph.baseUrl}/${encodeURIComponent(request.group)}?fields=subject,description,total_participant_count`,
    );
    const parsed = groupDetailsSchema.safeParse(answer);
    if (!parsed.success) throw refuse("Graph API group answer has an unexpected shape", "WhatsApp answered about the group in an unexpected form.", "unknown");
    const count = parsed.data.total_participant_count ?? parsed.data.participants?.length;
    return {
      ...(parsed.data.subject ? { subject: parsed.data.subject } : {}),
      ...(parsed.data.description ? { description: parsed.data.description } : {}),
      ...(count !== undefined ? { participantCount: count } : {}),
    };
  }

  /** The addressing fields of a send: a group (`recipient_type: group`, its id) or one person (docs/protocols.md A6, A10). */
  private addressOf(to: Recipient): { recipient_type: "group" | "individual"; to: string } | { recipient_type: "individual"; recipient: string } {
    if (to.kind === "group") return { recipient_type: "group", to: to.group };
    if (to.phone) return { recipient_type: "individual", to: `+${to.phone.replace(/^\+/, "")}` };
    if (to.userId) return { recipient_type: "individual", recipient: to.userId };
    throw refuse("recipient has neither phone nor BSUID", "Not sent: the customer has neither a phone number nor a WhatsApp user id on record.", "recipient");
  }
}
