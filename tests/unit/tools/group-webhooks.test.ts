import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  groupCreated,
  groupDeleted,
  groupSettingsUpdated,
  groupStatuses,
  groupSuspension,
  participantLeft,
  participantsJoined,
  participantsRemoved,
} from "../../../tools/group-webhooks";
import { webhookEnvelope, type WebhookChangeSpec } from "../../../tools/sign-webhook";

const FIXTURES = join(__dirname, "../../../../tests/fixtures/meta/groups");
const GROUP = "Y2FwaV9ncm91cDoxNTU1MDc4Mzg4MToxMjAzNjM0MTc3NTAyOTQ1MTIZD";
const SHEENA = { phone: "16505551234", userId: "US.13491208655302741918", name: "Sheena Nelson" };
const TIAGO = { phone: "5511976543210", userId: "BR.5820193746251038472", name: "Tiago Mingo", username: "tiago.mingo" };

type Body = { object: string; entry: Array<{ id: string; changes: Array<{ field: string; value: Record<string, unknown> }> }> };
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8")) as Body;
const change = (body: Body) => body.entry[0]!.changes[0]!;
const built = (spec: WebhookChangeSpec) => change(JSON.parse(JSON.stringify(webhookEnvelope(spec))) as Body);

/** The shape of a value, values aside: keys (sorted) all the way down, arrays by their first item. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length > 0 ? [shape(value[0])] : [];
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, shape((value as Record<string, unknown>)[k])]),
    );
  return typeof value;
}
/** Same as `shape`, but timestamps may be strings or numbers (Meta's samples use both). */
const sameShape = (actual: unknown, expected: unknown) =>
  assert.deepEqual(
    JSON.parse(JSON.stringify(shape(actual)).replace(/"timestamp":"number"/g, '"timestamp":"string"')),
    JSON.parse(JSON.stringify(shape(expected)).replace(/"timestamp":"number"/g, '"timestamp":"string"')),
  );

describe("group webhook fixtures (tests/fixtures/meta/groups)", () => {
  it("are one business and one group throughout, every group item with a timestamp and a type", () => {
    const names = readdirSync(FIXTURES).filter((f) => f.endsWith(".json"));
    assert.ok(names.length >= 20);
    for (const name of names) {
      const body = fixture(name.replace(/\.json$/, ""));
      assert.equal(body.object, "whatsapp_business_account", name);
      const { value, field } = change(body);
      assert.deepEqual(value.metadata, { display_phone_number: "15550783881", phone_number_id: "106540352242922" }, name);
      const items = (value.groups ?? value.messages ?? value.statuses) as Array<Record<string, unknown>>;
      assert.ok(items.length > 0, name);
      for (const item of items) {
        assert.ok(
          item.group_id === GROUP || item.recipient_id === GROUP || (field === "group_lifecycle_update" && Array.isArray(item.errors)),
          `${name}: names the group`,
        );
        if (field !== "messages") assert.ok(item.timestamp !== undefined && typeof item.type === "string", name);
      }
    }
  });
});

describe("group webhook builders (tools/group-webhooks.ts) against the fixtures", () => {
  it("build lifecycle changes in Meta's shapes", () => {
    sameShape(
      built(groupCreated({ requestId: "1", groupId: GROUP, subject: "S", inviteLink: "https://chat.whatsapp.com/x" })),
      change(fixture("lifecycle_create_succeeded")),
    );
    sameShape(
      built(groupCreated({ requestId: "1", subject: "S", description: "D", errors: [{ code: 131211, title: "T", details: "D" }] })),
      change(fixture("lifecycle_create_failed")),
    );
    sameShape(built(groupDeleted({ groupId: GROUP, requestId: "2" })), change(fixture("lifecycle_delete_succeeded")));
    sameShape(
      built(groupDeleted({ groupId: GROUP, requestId: "2", errors: [{ code: 131041, title: "T", details: "D" }] })),
      change(fixture("lifecycle_delete_failed")),
    );
  });

  it("build participant changes: joined, left, removed, partly failed", () => {
    sameShape(
      built(participantsJoined({ groupId: GROUP, participants: [{ phone: SHEENA.phone, userId: SHEENA.userId }] })),
      change(fixture("participants_add_invite_link")),
    );
    sameShape(built(participantLeft({ groupId: GROUP, participant: { phone: SHEENA.phone, userId: SHEENA.userId } })), change(fixture("participants_left")));
    sameShape(built(participantsRemoved({ groupId: GROUP, requestId: "3", removed: ["+5511976543210"] })), change(fixture("participants_removed_by_business")));
    sameShape(
      built(
        participantsRemoved({
          groupId: GROUP,
          requestId: "3",
          removed: ["+5511976543210"],
          failed: [{ input: "+447700900123", error: { code: 131212, title: "T", details: "D" } }],
        }),
      ),
      change(fixture("participants_remove_partially_failed")),
    );
  });

  it("build settings and suspension changes", () => {
    const settings = built(groupSettingsUpdated({ groupId: GROUP, requestId: "4", subject: "S", description: "D" }));
    const expected = change(fixture("settings_update_succeeded"));
    const { profile_picture: _picture, ...withoutPicture } = (expected.value.groups as Array<Record<string, unknown>>)[0]!;
    sameShape(settings, { ...expected, value: { ...expected.value, groups: [withoutPicture] } });
    sameShape(built(groupSuspension({ groupId: GROUP, suspended: true })), change(fixture("status_update_suspended")));
    assert.equal((built(groupSuspension({ groupId: GROUP, suspended: false })).value.groups as Array<{ type: string }>)[0]?.type, "group_suspend_cleared");
  });

  it("build statuses: sent for the group, delivered per participant with contacts and pricing, read, failed", () => {
    sameShape(built(groupStatuses({ id: "wamid.1", groupId: GROUP, status: "sent", callbackData: "x" })), change(fixture("status_sent_to_group")));
    const pricing = { billable: false, pricing_model: "PMP", type: "free_group_customer_service", category: "group_service" };
    sameShape(
      built(groupStatuses({ id: "wamid.1", groupId: GROUP, status: "delivered", participants: [SHEENA, TIAGO], callbackData: "x", pricing })),
      change(fixture("status_delivered_per_participant")),
    );
    sameShape(
      built(groupStatuses({ id: "wamid.1", groupId: GROUP, status: "read", participants: [SHEENA], callbackData: "x" })),
      change(fixture("status_read_participant_a")),
    );
    sameShape(
      built(groupStatuses({ id: "wamid.2", groupId: GROUP, status: "failed", errors: [{ code: 131207, title: "Group suspended", details: "D" }] })).value
        .statuses,
      [
        {
          ...(change(fixture("status_failed_group")).value.statuses as Array<Record<string, unknown>>)[0],
          errors: [{ code: 1, message: "", title: "", error_data: { details: "" } }],
        },
      ],
    );
  });
});
