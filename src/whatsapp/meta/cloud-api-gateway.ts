import { z } from "zod/v4";
import { WhatsAppSendError } from "../../core/errors";
import type { FormattedText } from "../../core/formatted-text";
import { BusinessNumberId, WaMessageId } from "../../core/ids";
import type { BusinessNumberInfo, Recipient, WhatsAppGateway } from "../../core/ports/whatsapp-gateway";
import { classifyGraphError, parseRetryAfter, transportError } from "./meta-errors";
import { toWhatsAppText } from "./whatsapp-markup";

export interface CloudApiGatewayOptions {
  /** Graph API base including the version, e.g. `https://graph.facebook.com/v25.0` (A1: pin the version). */
  readonly graphUrl: string;
  /** System-user token, sent as `Authorization: Bearer …`; never put in errors. */
  readonly accessToken: string;
  /** WhatsApp Business Account id, for listing its numbers. */
  readonly businessAccountId?: string;
  /** Per request, including reading the answer. Default 15 s. */
  readonly timeoutMs?: number;
  /** Injected for tests; defaults to the global `fetch` (Node 20). */
  readonly fetch?: typeof fetch;
}

/** A text message body may have at most 4,096 characters (A10). */
export const MAX_TEXT_CHARS = 4096;
/** `biz_opaque_callback_data` is echoed in status webhooks; at most 512 bytes (A8). */
export const MAX_CALLBACK_BYTES = 512;
const DEFAULT_TIMEOUT_MS = 15_000;
/** Guards against a paging loop: 50 pages of 25+ numbers is far beyond any real account. */
const MAX_PAGES = 50;

const sendResponseSchema = z.looseObject({ messages: z.array(z.looseObject({ id: z.string().min(1) })).min(1) });
const phoneNumbersPageSchema = z.looseObject({
  data: z.array(z.looseObject({ id: z.string().min(1), display_phone_number: z.string(), verified_name: z.string().optional() })),
  paging: z.looseObject({ cursors: z.looseObject({ after: z.string().optional() }).optional(), next: z.string().optional() }).optional(),
});

function refuse(message: string, userMessage: string): WhatsAppSendError {
  return new WhatsAppSendError(undefined, message, { retryable: false, userMessage });
}

/**
 * `WhatsAppGateway` over Meta's WhatsApp Cloud API (Graph API, protocols.md A10/A16). Every method does
 * one or more HTTPS calls and rejects only with `WhatsAppSendError`, classified by Meta's `error.code`.
 */
export class CloudApiWhatsAppGateway implements WhatsAppGateway {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: CloudApiGatewayOptions) {
    this.baseUrl = options.graphUrl.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetchFn = options.fetch ?? fetch;
  }

  /**
   * `POST {graphUrl}/{business}/messages` with a text body rendered as WhatsApp markup. The recipient is
   * `to: "+<phone>"` when the phone is known, else `recipient: <BSUID>` (A6). Resolves with the wamid
   * once Meta *accepted* the message. Refuses locally, without calling Meta, an empty text, a text over
   * 4,096 characters, callback data over 512 bytes and a recipient with neither phone nor BSUID.
   */
  async sendText(request: { business: BusinessNumberId; to: Recipient; body: FormattedText; replyTo?: WaMessageId; callbackData?: string }): Promise<{ id: WaMessageId }> {
    const text = toWhatsAppText(request.body);
    const length = Array.from(text).length;
    if (length === 0) throw refuse("empty text message", "Not sent: the message is empty.");
    if (length > MAX_TEXT_CHARS) {
      throw refuse(`text of ${length} characters exceeds ${MAX_TEXT_CHARS}`, `Not sent: the message is too long for WhatsApp (${length} characters; at most ${MAX_TEXT_CHARS}). Split it into shorter messages.`);
    }
    if (request.callbackData !== undefined && Buffer.byteLength(request.callbackData, "utf8") > MAX_CALLBACK_BYTES) {
      throw refuse(`callback data exceeds ${MAX_CALLBACK_BYTES} bytes`, "Not sent: an internal error occurred (tracking data too long).");
    }
    const body = {
      messaging_product: "whatsapp",
      recipient_type: "individual",
      ...this.addressOf(request.to),
      type: "text",
      text: { body: text, preview_url: false },
      ...(request.replyTo ? { context: { message_id: request.replyTo } } : {}),
      ...(request.callbackData !== undefined ? { biz_opaque_callback_data: request.callbackData } : {}),
    };
    const answer = await this.call("POST", `${this.baseUrl}/${encodeURIComponent(request.business)}/messages`, body);
    const parsed = sendResponseSchema.safeParse(answer);
    const id = parsed.success ? parsed.data.messages[0]?.id : undefined;
    if (!id) {
      throw refuse("Graph API accepted the send but returned no message id", "WhatsApp accepted the request but did not confirm the message. Check whether the customer received it before sending again.");
    }
    return { id: WaMessageId(id) };
  }

  /** `GET {graphUrl}/{waba}/phone_numbers`, following cursor pages; `[]` when no WABA id is configured. */
  async listBusinessNumbers(): Promise<BusinessNumberInfo[]> {
    const waba = this.options.businessAccountId;
    if (!waba) return [];
    const first = `${this.baseUrl}/${encodeURIComponent(waba)}/phone_numbers?fields=id,display_phone_number,verified_name`;
    const numbers: BusinessNumberInfo[] = [];
    let url = first;
    for (let page = 0; page < MAX_PAGES; page++) {
      const parsed = phoneNumbersPageSchema.safeParse(await this.call("GET", url));
      if (!parsed.success) throw new WhatsAppSendError(undefined, "Graph API phone_numbers answer has an unexpected shape", { retryable: false, userMessage: "WhatsApp answered the list of business numbers in an unexpected form." });
      for (const n of parsed.data.data) {
        numbers.push({ id: BusinessNumberId(n.id), displayNumber: n.display_phone_number, ...(n.verified_name ? { verifiedName: n.verified_name } : {}) });
      }
      const after = parsed.data.paging?.cursors?.after;
      // Follow the cursor on our own base URL rather than `paging.next`, so the token only goes to graphUrl.
      if (!parsed.data.paging?.next || !after) break;
      url = `${first}&after=${encodeURIComponent(after)}`;
    }
    return numbers;
  }

  private addressOf(to: Recipient): { to: string } | { recipient: string } {
    if (to.phone) return { to: `+${to.phone.replace(/^\+/, "")}` };
    if (to.userId) return { recipient: to.userId };
    throw refuse("recipient has neither phone nor BSUID", "Not sent: the customer has neither a phone number nor a WhatsApp user id on record.");
  }

  /** One Graph call: JSON in and out, the timeout covering the whole exchange, errors classified. */
  private async call(method: "GET" | "POST", url: string, body?: unknown): Promise<unknown> {
    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const response = await this.fetchFn(url, {
        method,
        headers: {
          authorization: `Bearer ${this.options.accessToken}`,
          accept: "application/json",
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.status;
      retryAfter = response.headers.get("retry-after");
      text = await response.text();
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
      throw transportError(timedOut ? "timeout" : "network", this.timeoutMs, err);
    }
    const safeText = this.redact(text);
    if (status < 200 || status > 299) throw classifyGraphError(status, safeText, parseRetryAfter(retryAfter));
    try {
      return JSON.parse(safeText) as unknown;
    } catch (err) {
      throw new WhatsAppSendError(undefined, `Graph API answered HTTP ${status} with a body that is not JSON`, {
        retryable: false,
        cause: err,
        userMessage: "WhatsApp answered in an unexpected form, so it is not known whether the message was sent. Check before sending again.",
      });
    }
  }

  /** Meta never echoes the token, but a misbehaving proxy might: keep it out of every error text. */
  private redact(text: string): string {
    const token = this.options.accessToken;
    return token ? text.split(token).join("[redacted]") : text;
  }
}
