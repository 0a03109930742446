import type { BridgeError } from "../../src/core/errors";
import { GroupRequestId, WaMessageId, type BusinessNumberId, type WaGroupId } from "../../src/core/ids";
import { toPlainText, type FormattedText } from "../../src/core/formatted-text";
import type { BusinessNumberInfo, GroupDetails, Recipient, WhatsAppGateway } from "../../src/core/ports/whatsapp-gateway";
import type { MessageTemplate, TemplateValues } from "../../src/core/templates";
import { FakeWhatsAppMedia } from "./fake-whatsapp-media";

/** Records what the core would send to WhatsApp; failures can be scripted. */
export class FakeWhatsAppGateway implements WhatsAppGateway {
  readonly sent: Array<{ business: BusinessNumberId; to: Recipient; body: FormattedText; id: WaMessageId; replyTo?: WaMessageId }> = [];
  readonly templatesSent: Array<{ business: BusinessNumberId; to: Recipient; template: MessageTemplate; values: TemplateValues; id: WaMessageId }> = [];
  readonly groupsCreated: Array<{ business: BusinessNumberId; subject: string; requestId: GroupRequestId }> = [];
  /** What `groupDetails` answers, per group id (unknown groups: an empty answer). */
  readonly groups = new Map<string, GroupDetails>();
  numbers: BusinessNumberInfo[] = [];
  templates: MessageTemplate[] = [];
  templateListings = 0;
  private readonly failures: BridgeError[] = [];
  private next = 1;

  failNext(...errors: BridgeError[]): void {
    this.failures.push(...errors);
  }

  async sendText(request: { business: BusinessNumberId; to: Recipient; body: FormattedText; replyTo?: WaMessageId }) {
    const err = this.failures.shift();
    if (err) throw err;
    const id = WaMessageId(`wamid.out${this.next++}`);
    this.sent.push({ business: request.business, to: request.to, body: request.body, id, ...(request.replyTo ? { replyTo: request.replyTo } : {}) });
    return { id };
  }

  renderText(body: FormattedText): string {
    return toPlainText(body);
  }

  async listBusinessNumbers(): Promise<BusinessNumberInfo[]> {
    return this.numbers;
  }

  async sendTemplate(request: { business: BusinessNumberId; to: Recipient; template: MessageTemplate; values: TemplateValues }) {
    const err = this.failures.shift();
    if (err) throw err;
    const id = WaMessageId(`wamid.tpl${this.next++}`);
    this.templatesSent.push({ ...request, id });
    return { id };
  }

  async listTemplates(): Promise<MessageTemplate[]> {
    this.templateListings++;
    return this.templates;
  }

  async createGroup(request: { business: BusinessNumberId; subject: string }) {
    const err = this.failures.shift();
    if (err) throw err;
    const requestId = GroupRequestId(`req-${this.next++}`);
    this.groupsCreated.push({ business: request.business, subject: request.subject, requestId });
    return { requestId };
  }

  async groupDetails(request: { business: BusinessNumberId; group: WaGroupId }): Promise<GroupDetails> {
    return this.groups.get(request.group) ?? {};
  }

  /** Media downloads, uploads, media sends and reactions (see fake-whatsapp-media.ts). */
  readonly media = new FakeWhatsAppMedia();
  fetchMedia(request: Parameters<FakeWhatsAppMedia["fetchMedia"]>[0]) {
    return this.media.fetchMedia(request);
  }
  uploadMedia(request: Parameters<FakeWhatsAppMedia["uploadMedia"]>[0]) {
    return this.media.uploadMedia(request);
  }
  sendMedia(request: Parameters<FakeWhatsAppMedia["sendMedia"]>[0]) {
    return this.media.sendMedia(request);
  }
  sendReaction(request: Parameters<FakeWhatsAppMedia["sendReaction"]>[0]) {
    return this.media.sendReaction(request);
  }
}
