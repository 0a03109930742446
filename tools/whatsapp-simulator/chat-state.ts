import { randomInt, randomUUID } from "node:crypto";

/**
 * What the WhatsApp simulator remembers: the customers a person plays and every message between them
 * and the business, with its ticks. Pure state; the simulator decides when things change and tells
 * listeners (the web page's event stream) about each change.
 */

/** A customer: a phone number, or only a username (then WhatsApp hides the number, docs/protocols.md A6). */
export interface SimCustomer {
  /** Local id of the simulator (not a WhatsApp id). */
  readonly id: string;
  /** The profile name WhatsApp reports (chosen by the customer). */
  readonly name: string;
  /** Digits without `+`, as `wa_id`; absent for a username-only customer. */
  readonly phone?: string;
  readonly username?: string;
  /** Business-scoped user id (BSUID), e.g. `US.13491208655302741918`: sent in every webhook since 2026. */
  readonly userId: string;
}

/**
 * Ticks. A customer's message: `sending` (not yet accepted by the bridge), `delivered` (the bridge
 * answered 200), `read` (the business marked it read), `failed` (the bridge kept refusing it).
 * A business message: `accepted` (Meta accepted it), then `sent` ✓, `delivered` ✓✓, `read` (blue ✓✓).
 */
export type TickStatus = "sending" | "accepted" | "sent" | "delivered" | "read" | "failed";

export interface SimLocation {
  readonly latitude: number;
  readonly longitude: number;
  readonly name?: string;
  readonly address?: string;
}

export interface SimMessage {
  /** The wamid. */
  readonly id: string;
  /** The customer of a one-to-one chat; in a group, who wrote it (empty for the business's group messages). */
  readonly customerId: string;
  /** Set for a message in a group (Meta's group id). */
  readonly groupId?: string;
  /** `in`: customer → business (a webhook to the bridge); `out`: business → customer (a send to the Graph API). */
  readonly direction: "in" | "out";
  /** Epoch ms. */
  readonly at: number;
  /** The WhatsApp type: text, image, document, location, template, … */
  readonly type: string;
  /** Text, caption, or a one-line description for types shown as a summary. */
  readonly text?: string;
  readonly filename?: string;
  readonly mimeType?: string;
  /** Id of the file in the stand-in's media store (the page shows it from `/api/media/{id}`). */
  readonly mediaId?: string;
  /** A media link the business sent instead of an uploaded id. */
  readonly link?: string;
  readonly location?: SimLocation;
  /** The wamid this message replies to (WhatsApp's quoted reply). */
  readonly replyTo?: string;
  status: TickStatus;
  /** Why delivery failed, for the page. */
  error?: string;
  /** Reactions on this message by each side (an emoji; absent when none or removed). */
  reactions: { customer?: string; business?: string };
  /** A business group message: the ticks of each member (customer id → status); `status` is the least of them. */
  receipts?: Record<string, TickStatus>;
}

/** A WhatsApp group of the business (docs/protocols.md A17), as the simulator plays it. */
export interface SimGroup {
  /** Meta's group id, as in webhooks and sends. */
  readonly id: string;
  subject: string;
  description?: string;
  inviteLink: string;
  /** Customer ids of the members, in joining order (the business is always in the group). */
  members: string[];
  deleted: boolean;
  suspended: boolean;
}

export type StateEvent =
  | { readonly kind: "customer"; readonly customer: SimCustomer }
  | { readonly kind: "group"; readonly group: SimGroup }
  | { readonly kind: "message"; readonly message: SimMessage }
  | { readonly kind: "typing"; readonly customerId: string; readonly until: number };

/** Country of a phone number for the BSUID prefix; a few common codes, `US` otherwise (only cosmetic). */
function countryOf(phone: string | undefined): string {
  const codes: Array<[string, string]> = [
    ["351", "PT"],
    ["44", "GB"],
    ["55", "BR"],
    ["91", "IN"],
    ["49", "DE"],
    ["33", "FR"],
    ["34", "ES"],
    ["52", "MX"],
    ["31", "NL"],
    ["39", "IT"],
    ["1", "US"],
  ];
  return codes.find(([code]) => phone?.startsWith(code))?.[1] ?? "US";
}

/** A new BSUID in Meta's shape: `<ISO country>.<digits>` (docs/protocols.md A6). */
export function newBsuid(phone?: string): string {
  let digits = String(randomInt(1, 10));
  while (digits.length < 20) digits += String(randomInt(0, 10));
  return `${countryOf(phone)}.${digits}`;
}

/** Digits of a phone number as WhatsApp writes `wa_id`: `+44 7700 900123` → `447700900123`. */
export function phoneDigits(input: string): string {
  return input.replace(/\D/g, "");
}

export class ChatState {
  private readonly customerList: SimCustomer[] = [];
  private readonly messageList: SimMessage[] = [];
  private readonly groupList: SimGroup[] = [];
  private readonly listeners = new Set<(event: StateEvent) => void>();

  get customers(): readonly SimCustomer[] {
    return this.customerList;
  }

  get messages(): readonly SimMessage[] {
    return this.messageList;
  }

  get groups(): readonly SimGroup[] {
    return this.groupList;
  }

  group(id: string): SimGroup | undefined {
    return this.groupList.find((g) => g.id === id);
  }

  addGroup(group: SimGroup): SimGroup {
    this.groupList.push(group);
    this.emit({ kind: "group", group });
    return group;
  }

  /** Changes a group (members, subject, …) and tells listeners. */
  updateGroup(id: string, change: (group: SimGroup) => void): SimGroup | undefined {
    const group = this.group(id);
    if (!group) return undefined;
    change(group);
    this.emit({ kind: "group", group });
    return group;
  }

  subscribe(listener: (event: StateEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Adds a customer. Throws on a missing name, a malformed number, or a number or username taken. */
  addCustomer(input: { name: string; phone?: string; username?: string; userId?: string }): SimCustomer {
    const name = input.name.trim();
    const phone = input.phone !== undefined && input.phone.trim() !== "" ? phoneDigits(input.phone) : undefined;
    const username = input.username?.trim().replace(/^@/, "") || undefined;
    if (!name) throw new RangeError("a customer needs a profile name");
    if (phone === undefined && username === undefined) throw new RangeError("a customer needs a phone number or a username");
    if (phone !== undefined && !/^\d{7,15}$/.test(phone)) throw new RangeError("a phone number has 7 to 15 digits, with the country code");
    if (username !== undefined && !/^[A-Za-z0-9._]{3,35}$/.test(username)) throw new RangeError("a username has 3 to 35 letters, digits, dots or underscores");
    if (phone !== undefined && this.customerList.some((c) => c.phone === phone)) throw new RangeError("a customer with this number exists already");
    if (username !== undefined && this.customerList.some((c) => c.username === username)) throw new RangeError("a customer with this username exists already");
    const customer: SimCustomer = {
      id: randomUUID(),
      name,
      ...(phone !== undefined ? { phone } : {}),
      ...(username !== undefined ? { username } : {}),
      userId: input.userId ?? newBsuid(phone),
    };
    this.customerList.push(customer);
    this.emit({ kind: "customer", customer });
    return customer;
  }

  customer(id: string): SimCustomer | undefined {
    return this.customerList.find((c) => c.id === id);
  }

  /** The customer a business send is addressed to: `to` (any phone format) wins over `recipient` (BSUID), as at Meta. */
  customerByAddress(to: string | undefined, recipient: string | undefined): SimCustomer | undefined {
    if (to !== undefined) return this.customerList.find((c) => c.phone === phoneDigits(to));
    if (recipient !== undefined) return this.customerList.find((c) => c.userId === recipient);
    return undefined;
  }

  message(id: string): SimMessage | undefined {
    return this.messageList.find((m) => m.id === id);
  }

  addMessage(input: Omit<SimMessage, "reactions"> & { reactions?: SimMessage["reactions"] }): SimMessage {
    const message: SimMessage = { ...input, reactions: input.reactions ?? {} };
    this.messageList.push(message);
    this.emit({ kind: "message", message });
    return message;
  }

  /** Changes a message and tells listeners; ticks never go backwards (a late `sent` after `read` is ignored). */
  update(id: string, change: (message: SimMessage) => void): SimMessage | undefined {
    const message = this.message(id);
    if (!message) return undefined;
    change(message);
    this.emit({ kind: "message", message });
    return message;
  }

  typing(customerId: string, until: number): void {
    this.emit({ kind: "typing", customerId, until });
  }

  private emit(event: StateEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

const ORDER: readonly TickStatus[] = ["sending", "accepted", "sent", "delivered", "read"];

/** True if moving from `from` to `to` advances the ticks (`failed` is final; `read` is the last tick). */
export function advances(from: TickStatus, to: TickStatus): boolean {
  if (from === "failed") return false;
  if (to === "failed") return from !== "read";
  return ORDER.indexOf(to) > ORDER.indexOf(from);
}
