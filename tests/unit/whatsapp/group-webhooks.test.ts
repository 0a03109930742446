import assert from "node:assert/strict";
import type { GroupEvent, InboundMessage, StatusEvent, WhatsAppEvent } from "../../../src/core/messages";
import { mapWebhookEnvelope } from "../../../src/whatsapp/meta/webhook-mapper";
import { parseWebhookEnvelope } from "../../../src/whatsapp/meta/webhook-schema";
import { loadMetaFixture } from "./meta-fixtures";

const GROUP = "Y2FwaV9ncm91cDoxNTU1MDc4Mzg4MToxMjAzNjM0MTc3NTAyOTQ1MTIZD";

function eventsOf(fixture: string): WhatsAppEvent[] {
  const parsed = parseWebhookEnvelope(loadMetaFixture(`groups/${fixture}`).json);
  assert.ok(parsed.ok, fixture);
  const mapped = mapWebhookEnvelope(parsed.envelope, { receivedAt: 1_789_400_000 });
  assert.deepEqual(mapped.problems, [], fixture);
  assert.deepEqual(mapped.skippedFields, [], `${fixture}: no group field is skipped`);
  return mapped.events;
}
const groupChange = (fixture: string) => (eventsOf(fixture)[0] as GroupEvent).change;

describe("WhatsApp groups in the Meta adapter (fixtures of Meta's documented shapes)", () => {
  it("a group message is the participant's, in the group: group id set, contact = who wrote", () => {
    const [a] = eventsOf("message_text_participant_a") as InboundMessage[];
    assert.equal(a?.group, GROUP);
    assert.equal(a?.contact.phone, "16505551234");
    assert.equal(a?.contact.userId, "US.13491208655302741918");
    assert.equal(a?.contact.profileName, "Sheena Nelson");
    const [b] = eventsOf("message_text_participant_b") as InboundMessage[];
    assert.equal(b?.group, GROUP);
    assert.equal(b?.contact.userId, "BR.5820193746251038472");
    const [image] = eventsOf("message_image_participant_a") as InboundMessage[];
    assert.equal(image?.content.kind, "media");
    const [unsupported] = eventsOf("message_unsupported_participant_a") as InboundMessage[];
    assert.equal(unsupported?.content.kind, "unsupported");
    assert.equal(unsupported?.group, GROUP);
  });

  it("statuses of a group send: sent for the group, delivered and read per participant (each a separate event)", () => {
    const [sent] = eventsOf("status_sent_to_group") as StatusEvent[];
    assert.equal(sent?.group, GROUP);
    assert.equal(sent?.participant, undefined);
    assert.equal(sent?.recipient, undefined, "a group id is never taken for a phone");
    const delivered = eventsOf("status_delivered_per_participant") as StatusEvent[];
    assert.deepEqual(
      delivered.map((s) => [s.state, s.group, s.participant]),
      [
        ["delivered", GROUP, "US.13491208655302741918"],
        ["delivered", GROUP, "BR.5820193746251038472"],
      ],
    );
    const [read] = eventsOf("status_read_participant_a") as StatusEvent[];
    assert.equal(read?.participant, "US.13491208655302741918");
    const [failed] = eventsOf("status_failed_group") as StatusEvent[];
    assert.equal(failed?.state, "failed");
    assert.equal(failed?.group, GROUP);
  });

  it("lifecycle: created with its invite link, deleted, and refusals with WhatsApp's words", () => {
    const created = groupChange("lifecycle_create_succeeded");
    assert.equal(created.kind, "created");
    assert.match(created.kind === "created" ? (created.inviteLink ?? "") : "", /^https:\/\/chat\.whatsapp\.com\//);
    assert.ok(created.kind === "created" && created.requestId);
    assert.equal(groupChange("lifecycle_delete_succeeded").kind, "deleted");
    for (const fixture of ["lifecycle_create_failed", "lifecycle_delete_failed"]) {
      const failed = groupChange(fixture);
      assert.equal(failed.kind, "request-failed", fixture);
      assert.match(failed.kind === "request-failed" ? failed.error : "", /\(code \d+\)\.$/);
    }
  });

  it("participants: joined by link or approval, join requests, left on their own, removed (partly)", () => {
    const joined = groupChange("participants_add_invite_link");
    assert.deepEqual(joined, { kind: "joined", participants: [{ userId: "US.13491208655302741918", phone: "16505551234" }], via: "invite_link" });
    assert.equal(groupChange("participants_add_join_request_approved").kind, "joined");
    assert.deepEqual(groupChange("participants_join_request_created"), {
      kind: "join-requested",
      participants: [{ userId: "BR.5820193746251038472", phone: "5511976543210", username: "tiago.mingo" }],
    });
    assert.equal(groupChange("participants_join_request_revoked").kind, "join-request-withdrawn");
    assert.deepEqual(groupChange("participants_left"), { kind: "left", participants: [{ userId: "US.13491208655302741918", phone: "16505551234" }] });
    assert.equal(groupChange("participants_removed_by_business").kind, "removed");
    const partly = groupChange("participants_remove_partially_failed");
    assert.equal(partly.kind, "removed");
    assert.deepEqual(partly.kind === "removed" ? [partly.participants, partly.notRemoved] : [], [[{ phone: "5511976543210" }], [{ phone: "447700900123" }]]);
  });

  it("settings: what changed, and what did not when part of the request failed", () => {
    const changed = groupChange("settings_update_succeeded");
    assert.equal(changed.kind, "settings");
    const partly = groupChange("settings_update_partially_failed");
    assert.deepEqual(partly.kind === "settings" ? [partly.subject, partly.description, /131201/.test(partly.problem ?? "")] : [], [
      "Flat 4B – viewing moved to Sunday",
      undefined,
      true,
    ]);
  });

  it("suspension and its end; unknown group fields and types are kept as unsupported, never dropped", () => {
    assert.equal(groupChange("status_update_suspended").kind, "suspended");
    assert.equal(groupChange("status_update_suspend_cleared").kind, "unsuspended");
    for (const fixture of ["unknown_group_field", "unknown_group_participants_type"]) {
      const [event] = eventsOf(fixture) as GroupEvent[];
      assert.equal(event?.change.kind, "unsupported", fixture);
      assert.equal(event?.group, GROUP);
    }
  });

  it("the same group item delivered twice has the same key (a redelivery is a duplicate); another item another key", () => {
    const [a] = eventsOf("participants_add_invite_link") as GroupEvent[];
    const [again] = eventsOf("participants_add_invite_link") as GroupEvent[];
    const [other] = eventsOf("participants_left") as GroupEvent[];
    assert.equal(a?.key, again?.key);
    assert.notEqual(a?.key, other?.key);
  });
});
