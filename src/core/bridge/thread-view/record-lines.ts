import type { GroupChange, GroupParticipant } from "../../messages";
import { personName } from "./thread-text";

/**
 * The lines that are the thread's record of what happened on WhatsApp's side, worded here in the core:
 * they are facts of the conversation (a group created, joined, left; a template or an automatic text the
 * customer received), kept in the tenant's record, and a group's line also becomes its thread's stored
 * first message (`Conversation.firstMessage`), so the same words must come from one place whatever shows
 * them. What the bridge tells staff about its own work (guidance, refusals) is a notice instead, worded by
 * the Teams adapter's catalogue (src/teams/wording.ts).
 */

/** How a participant is named in a thread line: profile name (cleaned) and number or username. */
function participantName(p: GroupParticipant): string {
  const handle = p.phone ? `+${p.phone}` : p.username ? `@${p.username.replace(/^@/, "")}` : undefined;
  const name = personName({
    ...(p.name ? { profileName: p.name } : {}),
    ...(p.phone ? { phone: p.phone } : {}),
    ...(p.username ? { username: p.username } : {}),
  });
  return handle && name !== handle ? `${name} (${handle})` : name;
}

function names(participants: readonly GroupParticipant[]): string {
  return participants.length === 0 ? "A participant" : participants.map(participantName).join(", ");
}

/** The plain-text line a group change leaves in the group's thread (the record Purview keeps). */
export function groupChangeLine(change: GroupChange): string {
  switch (change.kind) {
    case "created":
      return change.inviteLink
        ? `WhatsApp created the group${change.subject ? ` “${change.subject}”` : ""}. Invite link: ${change.inviteLink} (send it to the people who should join: WhatsApp does not let a business add members itself).`
        : `WhatsApp created the group${change.subject ? ` “${change.subject}”` : ""}.`;
    case "deleted":
      return "The WhatsApp group was deleted. Nothing more can be sent to it.";
    case "joined":
      return `${names(change.participants)} joined the group${change.via ? ` (${change.via.replace(/_/g, " ")})` : ""}.`;
    case "join-requested":
      return `${names(change.participants)} asked to join the group. Approve or reject the request in WhatsApp.`;
    case "join-request-withdrawn":
      return `${names(change.participants)} withdrew their request to join the group.`;
    case "removed": {
      const refused = change.notRemoved?.length ? ` WhatsApp did not remove ${names(change.notRemoved)}${change.problem ? `: ${change.problem}` : "."}` : "";
      return `${names(change.participants)} ${change.participants.length > 1 ? "were" : "was"} removed from the group.${refused}`;
    }
    case "left":
      return `${names(change.participants)} left the group.`;
    case "settings": {
      const parts = [
        change.subject !== undefined ? `the subject is now “${change.subject}”` : undefined,
        change.description !== undefined ? `the description is now “${change.description}”` : undefined,
        change.pictureChanged ? "the picture changed" : undefined,
      ].filter(Boolean);
      const problem = change.problem ? ` Not everything asked for was changed: ${change.problem}` : "";
      return `${parts.length ? `Group settings changed: ${parts.join("; ")}.` : "The group's settings changed."}${problem}`;
    }
    case "suspended":
      return "WhatsApp suspended this group: nothing can be sent to it until WhatsApp lifts the suspension.";
    case "unsuspended":
      return "WhatsApp lifted this group's suspension: messages can be sent to it again.";
    case "request-failed":
      return `WhatsApp refused to ${change.request.replace(/_/g, " ")}${change.subject ? ` (“${change.subject}”)` : ""}: ${change.error}`;
    case "unsupported":
      return `WhatsApp sent a group event this bridge does not know (field ${change.field}, type ${change.type}). It is recorded (the raw webhook is kept in the journal) but not shown here.`;
  }
}

/** The first line of a group asked for from Teams (its thread's first message), by `by` when known. */
export function groupRequestedLine(subject: string, by: string | undefined): string {
  return `Group “${subject}” asked for by ${by || "a bridge admin"} from Teams.`;
}

/** The label of the record of a template sent from the template card. */
export function templateSentLabel(template: { readonly name: string; readonly language: string }, by: string): string {
  return `Template “${template.name}” (${template.language}) sent by ${by}`;
}

/** The label of the record of the first-contact notice the bridge sends to a new customer by itself. */
export const FIRST_CONTACT_LABEL = "Sent automatically to the customer (first-contact notice)";

/** What an automatic message is, in its outbox row's label (`automatic:<what>`). */
export type AutomaticMessage = "first-contact";

const AUTOMATIC_LABELS: Readonly<Record<AutomaticMessage, string>> = { "first-contact": FIRST_CONTACT_LABEL };

/**
 * The label of the thread's record of an outbox row no staff post shows: a template (its row's label is
 * `template:<name>|<language>`) or an automatic message (`automatic:<what>`).
 */
export function recordLabel(row: { readonly label?: string; readonly authorName?: string }): string {
  const label = row.label ?? "";
  if (label.startsWith("template:")) {
    const [name = "", language = ""] = label.slice("template:".length).split("|");
    return templateSentLabel({ name, language }, row.authorName || "a staff member");
  }
  const what = label.slice("automatic:".length);
  return (AUTOMATIC_LABELS as Readonly<Record<string, string>>)[what] ?? "Sent automatically to the customer";
}
