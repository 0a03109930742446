import { newRequestId, type MetaGraphStandin, type GroupRequest, type RecordedSend, type StandinGroup } from "../meta-graph-standin";
import { groupCreated, groupDeleted, groupSettingsUpdated, groupStatuses, participantLeft, participantsJoined, participantsRemoved } from "../group-webhooks";
import type { WebhookBusiness, WebhookChangeSpec } from "../sign-webhook";
import type { BusinessAction } from "./business-send";
import { advances, type ChatState, type SimCustomer, type SimGroup, type SimMessage, type TickStatus } from "./chat-state";
import { buildCustomerMessage, webhookCustomer, type CustomerMessageInput } from "./customer-message";
import type { DeliveryResult } from "./webhook-client";

/** What group play needs from the simulator. */
export interface GroupHost {
  readonly state: ChatState;
  readonly metaGraph: MetaGraphStandin;
  readonly business: WebhookBusiness;
  readonly ticks: { readonly sent: number; readonly delivered: number };
  readonly autoReadMs?: number;
  deliver(...changes: WebhookChangeSpec[]): Promise<DeliveryResult>;
  later(ms: number, work: () => void): void;
}

/** A member message: text or media (Meta lists text and media as the group message types). */
export type GroupMessageInput = Extract<CustomerMessageInput, { type: "text" | "image" | "document" }>;

/** Participants webhooks name a member by phone, BSUID and username, never by profile name (docs/protocols.md A17.5). */
const participantOf = (c: SimCustomer) => ({ ...webhookCustomer(c, false), ...(c.username ? { username: c.username } : {}) });

const ORDER: readonly TickStatus[] = ["accepted", "sent", "delivered", "read"];
const least = (statuses: TickStatus[]): TickStatus => ORDER[Math.min(...statuses.map((s) => ORDER.indexOf(s)))] ?? "accepted";

/**
 * The groups of the WhatsApp simulator (docs/protocols.md A17): a person creates a group, lets members
 * join and leave, writes as any member; the business's group messages get one `sent` for the group and
 * `delivered`/`read` per member. Every change reaches the bridge as Meta's signed group webhooks.
 */
export class GroupPlay {
  /** Status webhooks of one business message go out in order. */
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly callbackData = new Map<string, string>();

  constructor(private readonly host: GroupHost) {
    host.metaGraph.onGroupRequest((request) => this.onGroupRequest(request));
  }

  /** A group the business has (as if created through the API earlier); the bridge hears `group_create`. */
  async createGroup(subject: string, description?: string): Promise<SimGroup> {
    const trimmed = subject.trim();
    if (trimmed === "" || Array.from(trimmed).length > 128) throw new RangeError("a group subject has 1 to 128 characters");
    const standin = this.host.metaGraph.addGroup({
      phoneNumberId: this.host.business.phoneNumberId,
      subject: trimmed,
      ...(description ? { description } : {}),
    });
    const group = this.adopt(standin);
    await this.host.deliver(
      groupCreated({ requestId: newRequestId(), groupId: group.id, subject: group.subject, inviteLink: group.inviteLink, business: this.host.business }),
    );
    return group;
  }

  /** A customer joins through the invite link. */
  async join(groupId: string, customerId: string): Promise<void> {
    const group = this.liveGroup(groupId);
    const customer = this.customer(customerId);
    if (group.members.includes(customerId)) throw new RangeError("already a member of this group");
    if (group.members.length >= 8) throw new RangeError("a group has at most 8 participants besides the business");
    this.host.state.updateGroup(groupId, (g) => {
      g.members = [...g.members, customerId];
    });
    this.standin(groupId)?.participants.push({
      ...(customer.phone ? { wa_id: customer.phone } : {}),
      user_id: customer.userId,
      ...(customer.username ? { username: customer.username } : {}),
    });
    await this.host.deliver(participantsJoined({ groupId, participants: [participantOf(customer)], business: this.host.business }));
  }

  /** A member leaves on their own. */
  async leave(groupId: string, customerId: string): Promise<void> {
    const group = this.liveGroup(groupId);
    const customer = this.customer(customerId);
    if (!group.members.includes(customerId)) throw new RangeError("not a member of this group");
    this.dropMembers(groupId, [customer]);
    await this.host.deliver(participantLeft({ groupId, participant: participantOf(customer), business: this.host.business }));
  }

  /** A member changes the subject (Meta documents the webhook for the business's own changes; same shape, no request id). */
  async rename(groupId: string, subject: string): Promise<void> {
    this.liveGroup(groupId);
    const trimmed = subject.trim();
    if (trimmed === "" || Array.from(trimmed).length > 128) throw new RangeError("a group subject has 1 to 128 characters");
    this.host.state.updateGroup(groupId, (g) => {
      g.subject = trimmed;
    });
    const standin = this.standin(groupId);
    if (standin) standin.subject = trimmed;
    await this.host.deliver(groupSettingsUpdated({ groupId, subject: trimmed, business: this.host.business }));
  }

  /** Writes as a member: a group message webhook; the message ends `delivered` (bridge said 200) or `failed`. */
  async send(groupId: string, authorId: string, input: GroupMessageInput): Promise<SimMessage | undefined> {
    const group = this.liveGroup(groupId);
    if (!group.members.includes(authorId)) throw new RangeError("only members write in a group");
    const { change, message } = buildCustomerMessage(this.customer(authorId), input, this.host.business, this.host.metaGraph);
    (change.value.messages as Array<Record<string, unknown>>)[0]!.group_id = groupId;
    this.host.state.addMessage({ ...message, groupId });
    const result = await this.host.deliver(change);
    return this.host.state.update(message.id, (m) => {
      if (result.ok && advances(m.status, "delivered")) m.status = "delivered";
      if (!result.ok) {
        m.status = "failed";
        m.error = result.error;
      }
    });
  }

  /** A member has the group open: the business messages delivered to them become read, in one webhook. */
  markRead(groupId: string, memberId: string): void {
    const member = this.host.state.customer(memberId);
    if (!member) return;
    const unread = this.host.state.messages.filter((m) => m.groupId === groupId && m.direction === "out" && m.receipts?.[memberId] === "delivered");
    if (unread.length === 0) return;
    for (const m of unread) this.setReceipts(m.id, [memberId], "read");
    const changes = unread.map((m) =>
      groupStatuses({ id: m.id, groupId, status: "read", participants: [webhookCustomer(member)], business: this.host.business, ...this.callback(m.id) }),
    );
    // Meta may aggregate one member's reads of several messages into one webhook (docs/protocols.md A17.4).
    const merged = { ...changes[0]!, value: { ...changes[0]!.value, statuses: changes.flatMap((c) => c.value.statuses as unknown[]) } };
    const previous = Promise.all(unread.map((m) => this.chains.get(m.id) ?? Promise.resolve()));
    const next = previous.then(() => this.host.deliver(merged));
    for (const m of unread) this.chains.set(m.id, next);
  }

  /** A business send with `recipient_type: group` that the stand-in accepted. */
  onBusinessSend(send: RecordedSend, action: Exclude<BusinessAction, { kind: "read" }>): void {
    // A group a test put straight into the stand-in is shown the first time the business writes to it.
    const standin = send.to !== undefined ? this.standin(send.to) : undefined;
    const group = (send.to !== undefined ? this.host.state.group(send.to) : undefined) ?? (standin ? this.adopt(standin) : undefined);
    const wamid = send.wamid ?? "";
    if (!group) return;
    // A reaction, and a pin (docs/protocols.md A17.1), only ever get a `sent` status.
    if (action.kind === "reaction" || action.type === "pin") {
      if (action.kind === "reaction")
        this.host.state.update(action.messageId, (m) => {
          m.reactions = { ...m.reactions, business: action.emoji || undefined };
        });
      void this.host.deliver(groupStatuses({ id: wamid, groupId: group.id, status: "sent", business: this.host.business }));
      return;
    }
    const body = (send.body ?? {}) as Record<string, unknown>;
    if (typeof body.biz_opaque_callback_data === "string") this.callbackData.set(wamid, body.biz_opaque_callback_data);
    const { kind: _kind, ...shown } = action;
    const media = action.mediaId ? this.host.metaGraph.getMedia(action.mediaId) : undefined;
    const recipients = [...group.members];
    this.host.state.addMessage({
      ...shown,
      ...(media ? { mimeType: media.mimeType } : {}),
      id: wamid,
      customerId: "",
      groupId: group.id,
      direction: "out",
      at: send.at,
      status: "accepted",
      receipts: Object.fromEntries(recipients.map((id) => [id, "accepted" as TickStatus])),
    });
    const { sent, delivered } = this.host.ticks;
    this.host.later(sent, () => {
      this.host.state.update(wamid, (m) => {
        if (advances(m.status, "sent")) m.status = "sent";
      });
      this.chain(wamid, groupStatuses({ id: wamid, groupId: group.id, status: "sent", business: this.host.business, ...this.callback(wamid) }));
    });
    this.host.later(sent + delivered, () => {
      const members = this.setReceipts(wamid, recipients, "delivered");
      const pricing = {
        billable: action.type === "template",
        pricing_model: "PMP",
        type: action.type === "template" ? "regular" : "free_group_customer_service",
        category: action.type === "template" ? "group_utility" : "group_service",
      };
      if (members.length > 0)
        this.chain(
          wamid,
          groupStatuses({
            id: wamid,
            groupId: group.id,
            status: "delivered",
            participants: members.map((c) => webhookCustomer(c)),
            pricing,
            business: this.host.business,
            ...this.callback(wamid),
          }),
        );
      const autoRead = this.host.autoReadMs;
      if (autoRead !== undefined)
        this.host.later(autoRead, () => {
          for (const c of members) this.markRead(group.id, c.id);
        });
    });
  }

  /** What the business asked of the Groups API, reported back the way Meta does: by webhook, a moment later. */
  private onGroupRequest(request: GroupRequest): void {
    const business = this.host.business;
    if (request.kind === "reset_invite_link") {
      this.host.state.updateGroup(request.group.id, (g) => {
        g.inviteLink = request.group.inviteLink;
      });
      return;
    }
    this.host.later(this.host.ticks.sent, () => {
      switch (request.kind) {
        case "create": {
          if (request.group) this.adopt(request.group);
          const created = request.group
            ? groupCreated({
                requestId: request.requestId,
                groupId: request.group.id,
                subject: request.subject,
                inviteLink: request.group.inviteLink,
                joinApprovalMode: request.joinApprovalMode,
                business,
              })
            : groupCreated({
                requestId: request.requestId,
                subject: request.subject,
                ...(request.description !== undefined ? { description: request.description } : {}),
                errors: [request.error ?? { code: 131000, title: "Something went wrong" }],
                business,
              });
          void this.host.deliver(created);
          return;
        }
        case "update":
          this.host.state.updateGroup(request.group.id, (g) => {
            g.subject = request.group.subject;
            if (request.group.description !== undefined) g.description = request.group.description;
          });
          void this.host.deliver(
            groupSettingsUpdated({
              groupId: request.group.id,
              requestId: request.requestId,
              ...(request.subject !== undefined ? { subject: request.subject } : {}),
              ...(request.description !== undefined ? { description: request.description } : {}),
              business,
            }),
          );
          return;
        case "delete":
          this.host.state.updateGroup(request.group.id, (g) => {
            g.deleted = true;
          });
          void this.host.deliver(groupDeleted({ groupId: request.group.id, requestId: request.requestId, business }));
          return;
        case "remove_participants": {
          const gone = request.removed
            .map((r) => this.host.state.customers.find((c) => c.userId === r.participant.user_id))
            .filter((c): c is SimCustomer => c !== undefined);
          this.dropMembers(request.group.id, gone, false);
          const failed = request.failed.map((input) => ({
            input,
            error: { code: 131212, title: "Participant is not a part of the group.", details: "Participant is not a part of the group." },
          }));
          void this.host.deliver(
            participantsRemoved({ groupId: request.group.id, requestId: request.requestId, removed: request.removed.map((r) => r.input), failed, business }),
          );
        }
      }
    });
  }

  /** Shows a group the stand-in holds; its participants become customers if they are not yet. */
  private adopt(standin: StandinGroup): SimGroup {
    const known = this.host.state.group(standin.id);
    if (known) return known;
    const members = standin.participants.map(
      (p) =>
        (
          this.host.state.customers.find((c) => c.userId === p.user_id) ??
          this.host.state.addCustomer({
            name: p.username ?? `+${p.wa_id ?? ""}`,
            ...(p.wa_id ? { phone: p.wa_id } : { username: p.username ?? `user${Date.now()}` }),
            userId: p.user_id,
          })
        ).id,
    );
    return this.host.state.addGroup({
      id: standin.id,
      subject: standin.subject,
      ...(standin.description !== undefined ? { description: standin.description } : {}),
      inviteLink: standin.inviteLink,
      members,
      deleted: false,
      suspended: false,
    });
  }

  private dropMembers(groupId: string, customers: readonly SimCustomer[], fromStandin = true): void {
    const ids = new Set(customers.map((c) => c.id));
    this.host.state.updateGroup(groupId, (g) => {
      g.members = g.members.filter((id) => !ids.has(id));
    });
    const standin = this.standin(groupId);
    if (standin && fromStandin) standin.participants = standin.participants.filter((p) => !customers.some((c) => c.userId === p.user_id));
  }

  /** Moves the given members' receipts forward; returns the members whose receipt moved. */
  private setReceipts(messageId: string, memberIds: readonly string[], status: TickStatus): SimCustomer[] {
    const moved: SimCustomer[] = [];
    this.host.state.update(messageId, (m) => {
      const receipts = { ...(m.receipts ?? {}) };
      for (const id of memberIds) {
        const customer = this.host.state.customer(id);
        if (customer && advances(receipts[id] ?? "accepted", status)) {
          receipts[id] = status;
          moved.push(customer);
        }
      }
      m.receipts = receipts;
      const overall = least(Object.values(receipts));
      if (advances(m.status, overall)) m.status = overall;
    });
    return moved;
  }

  private chain(messageId: string, change: WebhookChangeSpec): void {
    const previous = this.chains.get(messageId) ?? Promise.resolve();
    this.chains.set(
      messageId,
      previous.then(() => this.host.deliver(change)),
    );
  }

  private callback(messageId: string): { callbackData?: string } {
    const data = this.callbackData.get(messageId);
    return data !== undefined ? { callbackData: data } : {};
  }

  private liveGroup(id: string): SimGroup {
    const group = this.host.state.group(id);
    if (!group || group.deleted) throw new RangeError("unknown group");
    return group;
  }

  private customer(id: string): SimCustomer {
    const customer = this.host.state.customer(id);
    if (!customer) throw new RangeError("unknown customer");
    return customer;
  }

  private standin(groupId: string): StandinGroup | undefined {
    return this.host.metaGraph.getGroup(groupId);
  }
}
