import { createHash } from "node:crypto";
import { z } from "zod/v4";
import { BusinessNumberId, GroupRequestId, WaGroupId, WaPhone, WaUserId } from "../../core/ids";
import type { GroupChange, GroupEvent, GroupParticipant } from "../../core/messages";
import { compact } from "./inbound-content";
import { describeIssues, idString, unixSeconds, webhookErrorSchema, type WebhookError } from "./message-schemas";
import { stableJson } from "./stable-json";
import type { GroupsValue } from "./webhook-schema";

/**
 * The Groups API webhook fields (docs/protocols.md, WhatsApp groups): `group_lifecycle_update`,
 * `group_participants_update`, `group_settings_update`, `group_status_update`, each a `value.groups[]`
 * of items with `group_id`, `type` and `timestamp`. Every item becomes a `GroupEvent`; a type or field this
 * bridge does not know becomes `unsupported` (shown in the thread), never dropped.
 */

const participantSchema = z.looseObject({
  input: z.string().optional(),
  wa_id: idString.optional(),
  user_id: idString.optional(),
  username: z.string().optional(),
  profile: z.looseObject({ name: z.string().optional(), username: z.string().optional() }).optional().catch(undefined),
  errors: z.array(webhookErrorSchema).optional().catch(undefined),
});

/** A setting the business asked to change, and whether it was (`group_settings_update`). */
const settingSchema = z
  .union([z.string(), z.looseObject({ text: z.string().optional(), update_successful: z.boolean().optional() })])
  .optional()
  .catch(undefined);

const groupItemSchema = z.looseObject({
  group_id: idString.optional(),
  type: z.string().min(1),
  timestamp: unixSeconds.optional(),
  request_id: z.string().optional(),
  subject: z.string().optional(),
  description: z.string().optional(),
  invite_link: z.string().optional(),
  reason: z.string().optional(),
  initiated_by: z.string().optional(),
  wa_id: idString.optional(),
  user_id: idString.optional(),
  username: z.string().optional(),
  profile: participantSchema.shape.profile,
  added_participants: z.array(participantSchema).optional().catch(undefined),
  removed_participants: z.array(participantSchema).optional().catch(undefined),
  failed_participants: z.array(participantSchema).optional().catch(undefined),
  participants: z.array(participantSchema).optional().catch(undefined),
  group_subject: settingSchema,
  group_description: settingSchema,
  profile_picture: z.looseObject({ update_successful: z.boolean().optional() }).optional().catch(undefined),
  errors: z.array(webhookErrorSchema).optional().catch(undefined),
});
type GroupItem = z.output<typeof groupItemSchema>;

function participantOf(p: z.output<typeof participantSchema>): GroupParticipant {
  // `input` is what the business asked with: a phone (`+…`) or a BSUID.
  const phone = p.wa_id ?? (p.input && /^\+?\d+$/.test(p.input) ? p.input.replace(/^\+/, "") : undefined);
  const userId = p.user_id ?? (p.input && !phone ? p.input : undefined);
  return compact({
    userId: userId ? WaUserId(userId) : undefined,
    phone: phone ? WaPhone(phone) : undefined,
    name: p.profile?.name,
    username: p.username ?? p.profile?.username,
  });
}

/** The participant a one-person item names at its top level (a join request). */
function topLevelParticipant(item: GroupItem): GroupParticipant[] {
  if (!item.wa_id && !item.user_id) return [];
  return [participantOf({ wa_id: item.wa_id, user_id: item.user_id, username: item.username, profile: item.profile })];
}

/** A changed setting's new value; undefined when it was not changed (absent, or `update_successful: false`). */
function changedTo(v: GroupItem["group_subject"]): string | undefined {
  if (typeof v === "string") return v;
  return v && v.update_successful !== false ? v.text : undefined;
}

function errorText(errors: readonly WebhookError[]): string {
  const e = errors[0]!;
  return [e.title ?? e.message ?? `error ${e.code}`, e.error_data?.details].filter(Boolean).join(": ") + ` (code ${e.code}).`;
}

/** What one item says happened, in the core's terms. */
export function groupChangeOf(field: string, item: GroupItem): GroupChange {
  const type = item.type.toLowerCase();
  const removed = (item.removed_participants ?? []).map(participantOf);
  const failed = (item.failed_participants ?? []).map(participantOf);
  const settingChanged =
    changedTo(item.group_subject) !== undefined || changedTo(item.group_description) !== undefined || item.profile_picture?.update_successful === true;
  // A request WhatsApp refused as a whole; a partial success is shown as what did change, with what failed.
  const partly = (type === "group_participants_remove" && removed.length > 0) || (type === "group_settings_update" && settingChanged);
  if (item.errors && item.errors.length > 0 && !partly) {
    return compact({
      kind: "request-failed" as const,
      request: type.replace(/^group_/, ""),
      error: errorText(item.errors),
      subject: item.subject,
      requestId: item.request_id ? GroupRequestId(item.request_id) : undefined,
    });
  }
  const notDone = item.errors && item.errors.length > 0 ? errorText(item.errors) : undefined;
  switch (type) {
    case "group_create":
      return compact({
        kind: "created" as const,
        subject: item.subject,
        description: item.description,
        inviteLink: item.invite_link,
        requestId: item.request_id ? GroupRequestId(item.request_id) : undefined,
      });
    case "group_delete":
      return { kind: "deleted" };
    case "group_participants_add": {
      const added = [...(item.added_participants ?? item.participants ?? []).map(participantOf)];
      return compact({ kind: "joined" as const, participants: added.length ? added : topLevelParticipant(item), via: item.reason });
    }
    case "group_participants_remove": {
      const who = removed.length ? removed : (item.participants ?? []).map(participantOf);
      // The participant left on their own when they initiated it (the item names only them).
      if (item.initiated_by === "participant") return { kind: "left", participants: who };
      return compact({ kind: "removed" as const, participants: who, notRemoved: failed.length ? failed : undefined, problem: notDone });
    }
    case "group_join_request_created":
      return { kind: "join-requested", participants: topLevelParticipant(item) };
    case "group_join_request_revoked":
      return { kind: "join-request-withdrawn", participants: topLevelParticipant(item) };
    case "group_settings_update":
      return compact({
        kind: "settings" as const,
        subject: changedTo(item.group_subject) ?? item.subject,
        description: changedTo(item.group_description) ?? item.description,
        pictureChanged: item.profile_picture !== undefined && item.profile_picture.update_successful !== false ? true : undefined,
        problem: notDone,
      });
    case "group_suspend":
      return { kind: "suspended" };
    case "group_suspend_cleared":
      return { kind: "unsuspended" };
    default:
      return { kind: "unsupported", field, type: item.type.slice(0, 80) };
  }
}

/** Stable key of a group item: Meta gives none, so the item's content and field are hashed. */
function groupEventKey(field: string, item: unknown): string {
  return createHash("sha256")
    .update(`${field}\n${stableJson(item)}`)
    .digest("hex")
    .slice(0, 32);
}

/**
 * Maps a `group_*` change to events. Items that cannot be read at all (no `type`) are returned as
 * problems (by index in `groups`); `receivedAt` (Unix seconds) stands in for a missing timestamp.
 */
export function mapGroupsValue(field: string, value: GroupsValue, receivedAt: number): { events: GroupEvent[]; problems: { index: number; reason: string }[] } {
  const business = BusinessNumberId(value.metadata.phone_number_id);
  const events: GroupEvent[] = [];
  const problems: { index: number; reason: string }[] = [];
  value.groups.forEach((raw, i) => {
    const parsed = groupItemSchema.safeParse(raw);
    if (!parsed.success) return void problems.push({ index: i, reason: describeIssues(parsed.error) });
    const item = parsed.data;
    const known = KNOWN_GROUP_FIELDS.has(field);
    events.push(
      compact({
        type: "group" as const,
        business,
        group: item.group_id ? WaGroupId(item.group_id) : undefined,
        key: groupEventKey(field, raw),
        timestamp: item.timestamp ?? receivedAt,
        change: known ? groupChangeOf(field, item) : { kind: "unsupported" as const, field, type: item.type.slice(0, 80) },
      }),
    );
  });
  return { events, problems };
}

export const KNOWN_GROUP_FIELDS: ReadonlySet<string> = new Set([
  "group_lifecycle_update",
  "group_participants_update",
  "group_settings_update",
  "group_status_update",
]);
