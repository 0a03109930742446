import assert from "node:assert/strict";
import { templateId } from "../../../src/core/templates";
import { isCardActionInvoke, isCardSubmit, mapCardAction } from "../../../src/teams/card-action-mapper";
import { ADAPTIVE_CARD_CONTENT_TYPE } from "../../../src/teams/cards/adaptive-card";
import { staffReplyActivity } from "../../../src/teams/staff-reply-activity";
import { loadTeamsActivity } from "./teams-fixtures";

const THREAD = "19:4a5b6c7d8e9f@thread.tacv2;messageid=1760000002000";

describe("card actions", () => {
  describe("mapping a submit (message with value) to a StaffCardAction", () => {
    it("takes the thread from the conversation, the card from replyToId, the author and the data", () => {
      const activity = loadTeamsActivity("channel-card-submit");
      assert.equal(isCardSubmit(activity), true);
      const action = mapCardAction(activity);
      assert.deepEqual(action, {
        tenantId: "9f0e8d7c-6b5a-4321-9fed-cba987654321",
        channelId: "19:4a5b6c7d8e9f@thread.tacv2",
        serviceUrl: "https://smba.trafficmanager.net/emea/",
        thread: THREAD,
        messageId: "1760000003000",
        author: { aadObjectId: "6b2e1c1a-3d4e-4f50-9a1b-2c3d4e5f6a7b", id: "29:1abcUserId", name: "Ana Staff" },
        data: { bridgeAction: "template.preview", template: "order_update|en_US", "b:1": "Ana", "b:2": "ABC-123" },
      });
    });

    it("never takes a destination from the data (docs/security.md, adversarial case 27)", () => {
      const activity = loadTeamsActivity("channel-card-submit");
      activity.value = { bridgeAction: "template.send", thread: "19:other@thread.tacv2;messageid=1", channelId: "19:other@thread.tacv2", waId: "15550199" };
      const action = mapCardAction(activity);
      assert.equal(action?.thread, THREAD);
      assert.equal(action?.channelId, "19:4a5b6c7d8e9f@thread.tacv2");
      assert.equal(action?.data.thread, "19:other@thread.tacv2;messageid=1", "the data is passed on as data only");
    });

    it("falls back to the activity id when Teams omits replyToId", () => {
      const activity = loadTeamsActivity("channel-card-submit");
      delete activity.replyToId;
      assert.equal(mapCardAction(activity)?.messageId, "1760000003100");
    });

    it("is not a submit when value is missing, an array or a string; people's messages are never submits", () => {
      for (const value of [undefined, null, ["x"], "template.send"]) {
        const activity = loadTeamsActivity("channel-card-submit");
        activity.value = value;
        assert.equal(isCardSubmit(activity), false, JSON.stringify(value));
        assert.equal(mapCardAction(activity), undefined);
      }
      assert.equal(isCardSubmit(loadTeamsActivity("channel-reply-with-quote")), false);
    });

    it("is unmapped outside a channel thread or without a tenant", () => {
      const noThread = loadTeamsActivity("channel-card-submit");
      noThread.conversation.id = "19:4a5b6c7d8e9f@thread.tacv2";
      assert.equal(mapCardAction(noThread), undefined);
      const noTenant = loadTeamsActivity("channel-card-submit");
      noTenant.channelData = {};
      delete noTenant.conversation.tenantId;
      assert.equal(mapCardAction(noTenant), undefined);
    });
  });

  describe("mapping an Action.Execute invoke", () => {
    it("takes the verb as bridgeAction and the action data", () => {
      const activity = loadTeamsActivity("channel-card-execute-invoke");
      assert.equal(isCardActionInvoke(activity), true);
      assert.equal(isCardSubmit(activity), false);
      const action = mapCardAction(activity);
      assert.equal(action?.thread, THREAD);
      assert.equal(action?.messageId, "1760000003000");
      assert.deepEqual(action?.data, { bridgeAction: "template.send", template: "order_update|en_US", "b:1": "Ana", "b:2": "ABC-123" });
    });

    it("is unmapped without an action object", () => {
      const activity = loadTeamsActivity("channel-card-execute-invoke");
      activity.value = { trigger: "manual" };
      assert.equal(mapCardAction(activity), undefined);
    });
  });

  describe("the answer activity", () => {
    it("is the card alone for a template card (no text: Teams would split it and refuse updates)", () => {
      const activity = staffReplyActivity({
        kind: "template-card",
        card: { step: "pick", templates: [{ id: templateId({ name: "a", language: "en" }), label: "a" }] },
        replace: true,
      });
      assert.deepEqual(Object.keys(activity).sort(), ["attachments", "type"]);
      assert.equal(activity.attachments?.length, 1);
      assert.equal(activity.attachments?.[0]?.contentType, ADAPTIVE_CARD_CONTENT_TYPE);
      assert.equal((activity.attachments?.[0]?.content as { version: string }).version, "1.5");
    });

    it("is Teams HTML for text and notices", () => {
      assert.deepEqual(staffReplyActivity({ kind: "said", said: { tone: "warning", text: "<b>no</b>" } }), {
        type: "message",
        text: "<p>⚠️ <em>&lt;b&gt;no&lt;/b&gt;</em></p>",
        textFormat: "xml",
      });
    });
  });
});
