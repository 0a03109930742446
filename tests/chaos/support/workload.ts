import { signedWebhook, textMessage, webhookEnvelope, type WebhookBusiness } from "../../../tools/sign-webhook";

/** One customer message of a chaos burst, with its signed webhook. */
export interface ChaosMessage {
  readonly contact: number;
  /** 1-based position in the contact's conversation: its WhatsApp timestamp order. */
  readonly seq: number;
  readonly wamid: string;
  /** WhatsApp timestamp, Unix seconds. */
  readonly timestamp: number;
  readonly business: WebhookBusiness;
  /** The exact bytes Meta would POST, and its headers (signed). */
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/** The business numbers of a chaos run: several, each linked to a channel of its own. */
export function chaosBusinesses(count: number): WebhookBusiness[] {
  return Array.from({ length: count }, (_, i) => ({
    wabaId: "102290129340398",
    phoneNumberId: String(106540352200000 + i),
    displayPhoneNumber: String(15550780000 + i),
  }));
}

/** The channel a business number is linked to in chaos runs. */
export const chaosChannelOf = (business: WebhookBusiness) => `19:chaos-${business.phoneNumberId}@thread.tacv2`;

/** Marker in every posted text: `wamid.CHAOS<tag>C<contact>M<seq>` (what the tally looks for). */
export const wamidOf = (tag: string, contact: number, seq: number) => `wamid.CHAOS${tag}C${contact}M${seq}`;
export const WAMID_PATTERN = /wamid\.CHAOS([A-Za-z0-9]+)C(\d+)M(\d+)/;

/**
 * `contacts` customers × `perContact` text messages, one single-message webhook each (Meta does not
 * guarantee batching), the contact's messages one second apart in WhatsApp time, contacts spread over
 * `businesses`. Returned in the order Meta would send them in a burst: interleaved across contacts.
 */
export function chaosBurst(options: {
  tag: string;
  contacts: number;
  perContact: number;
  businesses: readonly WebhookBusiness[];
  appSecret: string;
  firstContact?: number;
}): ChaosMessage[] {
  const base = Math.floor(Date.now() / 1000) - 3_600;
  const out: ChaosMessage[] = [];
  const first = options.firstContact ?? 0;
  for (let seq = 1; seq <= options.perContact; seq++) {
    for (let c = first; c < first + options.contacts; c++) {
      const business = options.businesses[c % options.businesses.length]!;
      const wamid = wamidOf(options.tag, c, seq);
      const timestamp = base + seq;
      const phone = `5511${String(900000000 + c)}`;
      const change = textMessage({ from: { phone, name: `Chaos ${c}` }, text: `message ${seq} ${wamid}`, business, id: wamid, timestamp });
      const { body, headers } = signedWebhook(webhookEnvelope(change), options.appSecret);
      out.push({ contact: c, seq, wamid, timestamp, business, body, headers });
    }
  }
  return out;
}

/** The burst as per-contact streams (each contact's messages in WhatsApp order). */
export function byContact(burst: readonly ChaosMessage[]): ChaosMessage[][] {
  const streams = new Map<number, ChaosMessage[]>();
  for (const m of burst) (streams.get(m.contact) ?? streams.set(m.contact, []).get(m.contact)!).push(m);
  return [...streams.values()].map((s) => s.sort((a, b) => a.seq - b.seq));
}
