import type { BridgeError } from "../../src/core/errors";
import { WaMessageId, type BusinessNumberId } from "../../src/core/ids";
import type { FormattedText } from "../../src/core/formatted-text";
import type { BusinessNumberInfo, Recipient, WhatsAppGateway } from "../../src/core/ports/whatsapp-gateway";

/** Records what the core would send to WhatsApp; failures can be scripted. */
export class FakeWhatsAppGateway implements WhatsAppGateway {
  readonly sent: Array<{ business: BusinessNumberId; to: Recipient; body: FormattedText; id: WaMessageId }> = [];
  numbers: BusinessNumberInfo[] = [];
  private readonly failures: BridgeError[] = [];
  private next = 1;

  failNext(...errors: BridgeError[]): void { this.failures.push(...errors); }

  async sendText(request: { business: BusinessNumberId; to: Recipient; body: FormattedText }) {
    const err = this.failures.shift();
    if (err) throw err;
    const id = WaMessageId(`wamid.out${this.next++}`);
    this.sent.push({ business: request.business, to: request.to, body: request.body, id });
    return { id };
  }

  async listBusinessNumbers(): Promise<BusinessNumberInfo[]> {
    return this.numbers;
  }
}
