import { randomBytes, randomInt } from "node:crypto";

/**
 * The groups the Meta Graph API stand-in knows (docs/protocols.md A17.2): created through
 * `POST /{phone-number-id}/groups` or added by a test or the simulator, with their participants.
 */

/** A participant as Meta lists it (`GET /{group-id}?fields=participants`): phone if known, BSUID always. */
export interface StandinGroupParticipant {
  readonly wa_id?: string;
  readonly user_id: string;
  readonly username?: string;
}

export interface StandinGroup {
  /** Meta's style: base64 of `capi_group:…` with `=` written `ZD`. */
  readonly id: string;
  readonly phoneNumberId: string;
  subject: string;
  description?: string;
  readonly joinApprovalMode: "auto_approve" | "approval_required";
  inviteLink: string;
  /** Unix seconds. */
  readonly creationTimestamp: number;
  /** Everyone but the business. */
  participants: StandinGroupParticipant[];
  suspended: boolean;
  deleted: boolean;
}

/** An error as group webhooks carry it: `{code, title, message, error_data.details}`. */
export interface GroupWebhookError {
  readonly code: number;
  readonly title: string;
  readonly details: string;
}

/**
 * What the business asked for through the Groups API. The stand-in applies it at once; whoever listens
 * (the simulator, a test) sends the matching webhook, since Meta reports these asynchronously.
 */
export type GroupRequest =
  | {
      readonly kind: "create";
      readonly requestId: string;
      readonly phoneNumberId: string;
      readonly subject: string;
      readonly description?: string;
      readonly joinApprovalMode: StandinGroup["joinApprovalMode"];
      readonly group?: StandinGroup;
      readonly error?: GroupWebhookError;
    }
  | { readonly kind: "update"; readonly requestId: string; readonly group: StandinGroup; readonly subject?: string; readonly description?: string }
  | { readonly kind: "delete"; readonly requestId: string; readonly group: StandinGroup }
  | {
      readonly kind: "remove_participants";
      readonly requestId: string;
      readonly group: StandinGroup;
      readonly removed: ReadonlyArray<{ readonly input: string; readonly participant: StandinGroupParticipant }>;
      readonly failed: readonly string[];
    }
  | { readonly kind: "reset_invite_link"; readonly group: StandinGroup };

export interface NewGroup {
  readonly phoneNumberId: string;
  readonly subject: string;
  readonly description?: string;
  readonly joinApprovalMode?: StandinGroup["joinApprovalMode"];
  readonly participants?: StandinGroupParticipant[];
  /** A fixed id (e.g. one of the fixtures); default a fresh one. */
  readonly id?: string;
}

const LINK_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** `https://chat.whatsapp.com/` and 22 letters or digits, as invite links look. */
export function newInviteLink(): string {
  let code = "";
  for (let i = 0; i < 22; i++) code += LINK_ALPHABET[randomInt(LINK_ALPHABET.length)];
  return `https://chat.whatsapp.com/${code}`;
}

export function newGroupId(phoneNumberId: string): string {
  const serial = `1203634${String(randomInt(1e9)).padStart(9, "0")}${String(randomInt(100)).padStart(2, "0")}`;
  return Buffer.from(`capi_group:${phoneNumberId}:${serial}`).toString("base64").replace(/=/g, "ZD");
}

/** A Graph-style numeric id for asynchronous requests. */
export function newRequestId(): string {
  return String(1e15 + (randomBytes(6).readUIntBE(0, 6) % 9e15));
}

export class GroupStore {
  private readonly byId = new Map<string, StandinGroup>();
  private readonly listeners = new Set<(request: GroupRequest) => void>();
  private readonly createFailures: GroupWebhookError[] = [];

  add(input: NewGroup): StandinGroup {
    const group: StandinGroup = {
      id: input.id ?? newGroupId(input.phoneNumberId),
      phoneNumberId: input.phoneNumberId,
      subject: input.subject,
      ...(input.description !== undefined ? { description: input.description } : {}),
      joinApprovalMode: input.joinApprovalMode ?? "auto_approve",
      inviteLink: newInviteLink(),
      creationTimestamp: Math.floor(Date.now() / 1000),
      participants: [...(input.participants ?? [])],
      suspended: false,
      deleted: false,
    };
    this.byId.set(group.id, group);
    return group;
  }

  /** A group that exists and was not deleted. */
  get(id: string): StandinGroup | undefined {
    const group = this.byId.get(id);
    return group && !group.deleted ? group : undefined;
  }

  /** Any group ever known, deleted ones included (a deleted id answers "group unknown", not "no such path"). */
  known(id: string): StandinGroup | undefined {
    return this.byId.get(id);
  }

  list(phoneNumberId: string): StandinGroup[] {
    return [...this.byId.values()].filter((g) => !g.deleted && g.phoneNumberId === phoneNumberId);
  }

  /** The next `times` creations are accepted (a request id) and then reported as failed with `error`. */
  failNextCreate(error: GroupWebhookError, times: number): void {
    for (let i = 0; i < times; i++) this.createFailures.push(error);
  }

  takeCreateFailure(): GroupWebhookError | undefined {
    return this.createFailures.shift();
  }

  subscribe(listener: (request: GroupRequest) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  announce(request: GroupRequest): void {
    for (const listener of this.listeners) listener(request);
  }

  clear(): void {
    this.byId.clear();
    this.createFailures.length = 0;
  }

  close(): void {
    this.listeners.clear();
  }
}
