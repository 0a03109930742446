import { contactOf, EXAMPLE_BUSINESS, valueBase, type WebhookBusiness, type WebhookChangeSpec, type WebhookCustomer } from "./sign-webhook";

/**
 * Builders of Meta's group webhooks (docs/protocols.md A17.4, A17.5; examples in
 * tests/fixtures/meta/groups), shared by tests and the WhatsApp simulator. Dev-only.
 */

export interface GroupWebhookErrorSpec {
  readonly code: number;
  readonly title: string;
  readonly details?: string;
}

const nowSeconds = () => String(Math.floor(Date.now() / 1000));

/** Errors as group webhooks carry them: `{code, message, title, error_data.details}`. */
function errorsOf(errors: readonly GroupWebhookErrorSpec[]): object[] {
  return errors.map((e) => ({ code: e.code, message: e.title, title: e.title, ...(e.details ? { error_data: { details: e.details } } : {}) }));
}

/** A participant as the participants webhook names them: phone if known, BSUID, username if any (never the profile name). */
function participantOf(p: WebhookCustomer): Record<string, unknown> {
  return { ...(p.phone ? { wa_id: p.phone } : {}), ...(p.userId ? { user_id: p.userId } : {}), ...(p.username ? { username: p.username } : {}) };
}

function groupChange(field: string, business: WebhookBusiness | undefined, item: Record<string, unknown>): WebhookChangeSpec {
  const b = business ?? EXAMPLE_BUSINESS;
  return { business: b, field, value: { ...valueBase(b), groups: [{ timestamp: nowSeconds(), ...item }] } };
}

/** `group_lifecycle_update` / `group_create`: the group and its invite link, or `errors` when creation failed. */
export function groupCreated(options: {
  requestId: string;
  subject: string;
  groupId?: string;
  inviteLink?: string;
  joinApprovalMode?: string;
  description?: string;
  errors?: readonly GroupWebhookErrorSpec[];
  business?: WebhookBusiness;
}): WebhookChangeSpec {
  const item = options.errors
    ? {
        type: "group_create",
        subject: options.subject,
        ...(options.description !== undefined ? { description: options.description } : {}),
        request_id: options.requestId,
        ...(options.groupId ? { group_id: options.groupId } : {}),
        errors: errorsOf(options.errors),
      }
    : {
        group_id: options.groupId,
        type: "group_create",
        request_id: options.requestId,
        subject: options.subject,
        invite_link: options.inviteLink,
        join_approval_mode: options.joinApprovalMode ?? "auto_approve",
      };
  return groupChange("group_lifecycle_update", options.business, item);
}

/** `group_lifecycle_update` / `group_delete`. */
export function groupDeleted(options: {
  groupId: string;
  requestId: string;
  errors?: readonly GroupWebhookErrorSpec[];
  business?: WebhookBusiness;
}): WebhookChangeSpec {
  return groupChange("group_lifecycle_update", options.business, {
    group_id: options.groupId,
    type: "group_delete",
    request_id: options.requestId,
    ...(options.errors ? { errors: errorsOf(options.errors) } : {}),
  });
}

/** `group_participants_update` / `group_participants_add`: joined through the invite link. */
export function participantsJoined(options: { groupId: string; participants: readonly WebhookCustomer[]; business?: WebhookBusiness }): WebhookChangeSpec {
  return groupChange("group_participants_update", options.business, {
    group_id: options.groupId,
    type: "group_participants_add",
    reason: "invite_link",
    added_participants: options.participants.map(participantOf),
  });
}

/** `group_participants_remove` with `initiated_by: participant`: someone left on their own. */
export function participantLeft(options: { groupId: string; participant: WebhookCustomer; business?: WebhookBusiness }): WebhookChangeSpec {
  return groupChange("group_participants_update", options.business, {
    group_id: options.groupId,
    type: "group_participants_remove",
    removed_participants: [participantOf(options.participant)],
    initiated_by: "participant",
  });
}

/** `group_participants_remove` with `initiated_by: business`: the answer to `DELETE /{group}/participants`. */
export function participantsRemoved(options: {
  groupId: string;
  requestId: string;
  removed: readonly string[];
  failed?: ReadonlyArray<{ input: string; error: GroupWebhookErrorSpec }>;
  business?: WebhookBusiness;
}): WebhookChangeSpec {
  const failed = options.failed ?? [];
  const partial = failed.length > 0 && options.removed.length > 0;
  return groupChange("group_participants_update", options.business, {
    group_id: options.groupId,
    type: "group_participants_remove",
    request_id: options.requestId,
    initiated_by: "business",
    ...(options.removed.length > 0 ? { removed_participants: options.removed.map((input) => ({ input })) } : {}),
    ...(failed.length > 0
      ? {
          failed_participants: failed.map((f) => ({ input: f.input, errors: errorsOf([f.error]) })),
          errors: errorsOf([
            partial
              ? { code: 131201, title: "Not All Participants Remove Succeeded", details: "Failed to remove some participants from the group" }
              : failed[0]!.error,
          ]),
        }
      : {}),
  });
}

/** `group_settings_update`: what changed (all successful here); `requestId` when the business asked for it. */
export function groupSettingsUpdated(options: {
  groupId: string;
  requestId?: string;
  subject?: string;
  description?: string;
  business?: WebhookBusiness;
}): WebhookChangeSpec {
  return groupChange("group_settings_update", options.business, {
    group_id: options.groupId,
    type: "group_settings_update",
    ...(options.requestId ? { request_id: options.requestId } : {}),
    ...(options.subject !== undefined ? { group_subject: { text: options.subject, update_successful: true } } : {}),
    ...(options.description !== undefined ? { group_description: { text: options.description, update_successful: true } } : {}),
  });
}

/** `group_status_update`: suspended by WhatsApp, or cleared. */
export function groupSuspension(options: { groupId: string; suspended: boolean; business?: WebhookBusiness }): WebhookChangeSpec {
  return groupChange("group_status_update", options.business, {
    type: options.suspended ? "group_suspend" : "group_suspend_cleared",
    group_id: options.groupId,
  });
}

/**
 * Statuses of one business message to a group (field `messages`): `sent` (or `failed`) once for the group;
 * `delivered`/`read` with one status per participant and their contacts, aggregated in one webhook.
 */
export function groupStatuses(options: {
  id: string;
  groupId: string;
  status: "sent" | "delivered" | "read" | "failed";
  participants?: readonly WebhookCustomer[];
  callbackData?: string;
  pricing?: Record<string, unknown>;
  errors?: readonly GroupWebhookErrorSpec[];
  business?: WebhookBusiness;
}): WebhookChangeSpec {
  const business = options.business ?? EXAMPLE_BUSINESS;
  const base = {
    id: options.id,
    status: options.status,
    timestamp: nowSeconds(),
    recipient_id: options.groupId,
    recipient_type: "group",
    ...(options.callbackData !== undefined ? { biz_opaque_callback_data: options.callbackData } : {}),
  };
  if (options.status === "sent" || options.status === "failed") {
    return { business, value: { ...valueBase(business), statuses: [{ ...base, ...(options.errors ? { errors: errorsOf(options.errors) } : {}) }] } };
  }
  const participants = options.participants ?? [];
  const statuses = participants.map((p) => ({
    ...base,
    ...(p.phone ? { recipient_participant_id: p.phone } : {}),
    ...(p.userId ? { recipient_participant_user_id: p.userId } : {}),
    ...(options.pricing ? { pricing: options.pricing } : {}),
  }));
  return { business, value: { ...valueBase(business), contacts: participants.map(contactOf), statuses } };
}
