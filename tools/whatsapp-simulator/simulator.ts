import { startMetaGraphStandin } from "../meta-graph-standin";
import type { MetaGraphStandin, RecordedSend } from "../meta-graph-standin";
import { EXAMPLE_BUSINESS, statusUpdate, type WebhookBusiness, type WebhookChangeSpec } from "../sign-webhook";
import { interpretSend } from "./business-send";
import { advances, ChatState, type SimCustomer, type SimMessage } from "./chat-state";
import { buildCustomerMessage, webhookCustomer, type CustomerMessageInput } from "./customer-message";
import { GroupPlay } from "./group-play";
import { webRoutes } from "./web-routes";
import { WebhookClient } from "./webhook-client";

export interface WhatsAppSimulatorOptions {
  /** Signs every webhook (`X-Hub-Signature-256`), as Meta does with the app secret. */
  readonly appSecret: string;
  /** The Graph API token the bridge must present (sends, media). */
  readonly accessToken: string;
  /** The business number customers write to; default the example business of the fixtures. */
  readonly business?: WebhookBusiness;
  /** The business's verified name, shown in the page and listed by `GET /{waba}/phone_numbers`. */
  readonly businessName?: string;
  /** Default 0 (ephemeral). Always 127.0.0.1. */
  readonly port?: number;
  /** The bridge's webhook URL, if known already (else call `connect`). */
  readonly webhookUrl?: string;
  /** After Meta accepted a business message: how long until ✓ (sent), then until ✓✓ (delivered). */
  readonly tickDelaysMs?: { readonly sent: number; readonly delivered: number };
  /** Read business messages this long after delivery even with no page open (tests). Default: the page reads. */
  readonly autoReadMs?: number;
  /** Delays between webhook attempts while the bridge does not answer 200. */
  readonly retryDelaysMs?: readonly number[];
}

type ReportedStatus = "sent" | "delivered" | "read";
const DEFAULT_TICKS = { sent: 300, delivered: 900 };

/**
 * A WhatsApp stand-in a person (or a test) plays customers with. It IS the Meta Graph API stand-in, grown:
 * one server on 127.0.0.1 answers the bridge's Graph API calls and serves a page at `/` where customers
 * write. Customer messages reach the bridge as signed webhooks; business messages come back with
 * ✓ / ✓✓ / read ticks, each reported to the bridge as a signed status webhook (docs/protocols.md A8).
 */
export class WhatsAppSimulator {
  readonly state = new ChatState();
  /** The business's WhatsApp groups: create, join, leave, rename, write as a member (group-play.ts). */
  readonly groups: GroupPlay;
  private readonly webhooks: WebhookClient;
  private readonly ticks: { readonly sent: number; readonly delivered: number };
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Status webhooks of one business message go out in order: sent, then delivered, then read. */
  private readonly statusChains = new Map<string, Promise<unknown>>();
  /** `biz_opaque_callback_data` of each business message, echoed in its statuses. */
  private readonly callbackData = new Map<string, string>();
  private closed = false;

  private constructor(
    readonly metaGraph: MetaGraphStandin,
    readonly business: WebhookBusiness,
    readonly businessName: string,
    private readonly options: WhatsAppSimulatorOptions,
  ) {
    this.webhooks = new WebhookClient({ appSecret: options.appSecret, ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}) });
    if (options.webhookUrl) this.webhooks.connect(options.webhookUrl);
    this.ticks = options.tickDelaysMs ?? DEFAULT_TICKS;
    metaGraph.phoneNumbers = [
      { id: business.phoneNumberId, display_phone_number: displayNumber(business.displayPhoneNumber), verified_name: businessName, quality_rating: "GREEN" },
    ];
    metaGraph.onSend((send) => this.onBusinessSend(send));
    this.groups = new GroupPlay({
      state: this.state,
      metaGraph,
      business,
      ticks: this.ticks,
      ...(options.autoReadMs !== undefined ? { autoReadMs: options.autoReadMs } : {}),
      deliver: (...changes) => this.webhooks.deliver(...changes),
      later: (ms, work) => this.later(ms, work),
    });
  }

  /** Starts the simulator (and with it the Meta Graph API stand-in) on 127.0.0.1. */
  static async start(options: WhatsAppSimulatorOptions): Promise<WhatsAppSimulator> {
    let simulator: WhatsAppSimulator | undefined;
    const routes = webRoutes(() => simulator!);
    const graph = await startMetaGraphStandin({
      accessToken: options.accessToken,
      ...(options.port !== undefined ? { port: options.port } : {}),
      extraRoutes: (request, response, url) => routes(request, response, url),
    });
    simulator = new WhatsAppSimulator(graph, options.business ?? EXAMPLE_BUSINESS, options.businessName ?? "Contoso Support", options);
    return simulator;
  }

  /** The page: `http://127.0.0.1:PORT/`. */
  get url(): string {
    return `${this.metaGraph.origin}/`;
  }

  /** For the bridge's `WHATSAPP_GRAPH_URL`. */
  get metaGraphUrl(): string {
    return this.metaGraph.url;
  }

  /** `127.0.0.1:PORT`: for the bridge's `WHATSAPP_MEDIA_HOSTS` (media download URLs point here). */
  get mediaHost(): string {
    return new URL(this.metaGraph.origin).host;
  }

  /** Where webhooks go from now on (the bridge needs the simulator's address first, so this comes later). */
  connect(webhookUrl: string): void {
    this.webhooks.connect(webhookUrl);
  }

  get webhookUrl(): string | undefined {
    return this.webhooks.url;
  }

  addCustomer(input: { name: string; phone?: string; username?: string; userId?: string }): SimCustomer {
    return this.state.addCustomer(input);
  }

  /**
   * Sends as the customer: a signed webhook to the bridge, retried while it does not answer 200.
   * Resolves with the message once delivered (ticks `delivered`) or failed; a reaction resolves undefined.
   */
  async send(customerId: string, input: CustomerMessageInput): Promise<SimMessage | undefined> {
    const customer = this.state.customer(customerId);
    if (!customer) throw new RangeError("unknown customer");
    const { change, message } = buildCustomerMessage(customer, input, this.business, this.metaGraph);
    if (input.type === "reaction") {
      this.state.update(input.messageId, (m) => {
        m.reactions = { ...m.reactions, customer: input.emoji || undefined };
      });
      await this.webhooks.deliver(change);
      return undefined;
    }
    this.state.addMessage(message);
    const result = await this.webhooks.deliver(change);
    return this.state.update(message.id, (m) => {
      if (result.ok) {
        if (advances(m.status, "delivered")) m.status = "delivered";
      } else {
        m.status = "failed";
        m.error = result.error;
      }
    });
  }

  /** The customer looks at the chat: every delivered business message becomes read, and the bridge hears of it. */
  markRead(customerId: string): void {
    for (const m of this.state.messages) {
      if (m.customerId === customerId && m.groupId === undefined && m.direction === "out" && m.status === "delivered") this.report(m.id, "read");
    }
  }

  /** Resolves with the first truthy value of `probe`, checked now and on every change; rejects after `timeoutMs`. */
  waitFor<T>(probe: () => T | undefined | false, timeoutMs = 5_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new Error(`whatsapp simulator: condition not met within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = () => {
        const value = probe();
        if (value === undefined || value === false) return;
        unsubscribe();
        clearTimeout(timer);
        resolve(value);
      };
      const unsubscribe = this.state.subscribe(check);
      check();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.webhooks.close();
    await this.metaGraph.close();
  }

  /** Problems met while showing business sends (the stand-in's answer to the bridge is never affected). */
  readonly problems: string[] = [];

  private onBusinessSend(send: RecordedSend): void {
    try {
      this.showBusinessSend(send);
    } catch (err) {
      const problem = `could not show a business message: ${err instanceof Error ? err.message : String(err)}`;
      this.problems.push(problem);
      console.warn(`whatsapp simulator: ${problem}`);
    }
  }

  /** A send the Meta Graph API stand-in accepted: show it to the customer and start its ticks. */
  private showBusinessSend(send: RecordedSend): void {
    if (send.status !== 200 || this.closed) return;
    const body = (send.body ?? {}) as Record<string, unknown>;
    const action = interpretSend(body);
    if (action.kind === "read") return this.onReadMark(action.messageId, action.typing);
    if (send.recipientType === "group") return this.groups.onBusinessSend(send, action);

    const to = typeof body.to === "string" ? body.to : undefined;
    const recipient = typeof body.recipient === "string" ? body.recipient : undefined;
    const customer = this.state.customerByAddress(to, recipient) ?? this.unknownRecipient(to, recipient);
    const wamid = send.wamid ?? "";
    if (action.kind === "reaction") {
      this.state.update(action.messageId, (m) => {
        m.reactions = { ...m.reactions, business: action.emoji || undefined };
      });
      // A reaction the business sends only ever gets a `sent` status (docs/protocols.md A8).
      void this.webhooks.deliver(statusUpdate({ id: wamid, status: "sent", recipient: webhookCustomer(customer, false), business: this.business }));
      return;
    }
    if (typeof body.biz_opaque_callback_data === "string") this.callbackData.set(wamid, body.biz_opaque_callback_data);
    const { kind: _kind, ...shown } = action;
    const media = action.mediaId ? this.metaGraph.getMedia(action.mediaId) : undefined;
    const fromMedia = media ? { mimeType: media.mimeType, ...(!action.filename && media.filename ? { filename: media.filename } : {}) } : {};
    this.state.addMessage({ ...shown, ...fromMedia, id: wamid, customerId: customer.id, direction: "out", at: send.at, status: "accepted" });
    this.later(this.ticks.sent, () => this.report(wamid, "sent"));
    this.later(this.ticks.sent + this.ticks.delivered, () => {
      this.report(wamid, "delivered");
      if (this.options.autoReadMs !== undefined) this.later(this.options.autoReadMs, () => this.report(wamid, "read"));
    });
  }

  /** Mark-as-read (docs/protocols.md A11): this message and every earlier one of the same chat (customer or group) are read; maybe "typing…". */
  private onReadMark(messageId: string, typing: boolean): void {
    const target = this.state.message(messageId);
    if (!target) return;
    const sameChat = (m: SimMessage) =>
      target.groupId !== undefined ? m.groupId === target.groupId : m.groupId === undefined && m.customerId === target.customerId;
    for (const m of this.state.messages) {
      if (sameChat(m) && m.direction === "in" && m.at <= target.at && advances(m.status, "read"))
        this.state.update(m.id, (x) => {
          x.status = "read";
        });
    }
    if (typing && target.groupId === undefined) this.state.typing(target.customerId, Date.now() + 25_000);
  }

  /** A send to someone the simulator does not know yet: they become a customer, so nothing is hidden. */
  private unknownRecipient(to: string | undefined, recipient: string | undefined): SimCustomer {
    if (to) return this.state.addCustomer({ name: `+${to.replace(/\D/g, "")}`, phone: to });
    return this.state.addCustomer({ name: "WhatsApp user", username: `user${Date.now()}`, ...(recipient ? { userId: recipient } : {}) });
  }

  /** Moves a business message's ticks forward and reports the status to the bridge, after the previous one. */
  private report(messageId: string, status: ReportedStatus): void {
    const message = this.state.message(messageId);
    const customer = message && this.state.customer(message.customerId);
    if (!message || !customer || !advances(message.status, status)) return;
    this.state.update(messageId, (m) => {
      m.status = status;
    });
    const callbackData = this.callbackData.get(messageId);
    // Profile names come with delivered/read statuses, not with sent (docs/protocols.md A6).
    const change = statusUpdate({
      id: messageId,
      status,
      recipient: webhookCustomer(customer, status !== "sent"),
      business: this.business,
      ...(callbackData !== undefined ? { callbackData } : {}),
    });
    if (status === "sent") withPricing(change, message.type);
    const previous = this.statusChains.get(messageId) ?? Promise.resolve();
    this.statusChains.set(
      messageId,
      previous.then(() => this.webhooks.deliver(change)),
    );
  }

  private later(ms: number, work: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) work();
    }, ms);
    this.timers.add(timer);
  }
}

/** Starts a WhatsApp simulator (see `WhatsAppSimulator`). */
export function startWhatsAppSimulator(options: WhatsAppSimulatorOptions): Promise<WhatsAppSimulator> {
  return WhatsAppSimulator.start(options);
}

/** `15550783881` → `+1 555-078-3881`, as WhatsApp Manager shows a US number (others: `+` and the digits). */
function displayNumber(digits: string): string {
  const us = /^1(\d{3})(\d{3})(\d{4})$/.exec(digits);
  return us ? `+1 ${us[1]}-${us[2]}-${us[3]}` : `+${digits}`;
}

/** Meta adds `pricing` to the `sent` status (docs/protocols.md A8); a service reply inside the window is free. */
function withPricing(change: WebhookChangeSpec, type: string): void {
  const statuses = change.value.statuses as Array<Record<string, unknown>>;
  const template = type === "template";
  statuses[0]!.pricing = {
    billable: template,
    pricing_model: "PMP",
    type: template ? "regular" : "free_customer_service",
    category: template ? "utility" : "service",
  };
}
