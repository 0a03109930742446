import assert from "node:assert/strict";
import { isChannelActivity, isFromBot, mapStaffMessage, otherMentions, tenantOf } from "../../../src/teams/activity-mapper";
import { loadTeamsActivity } from "./teams-fixtures";

const BOT_ID = "28:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

describe("activity mapper", () => {
  it("names every mention but the bot's: people, tags, channels and the team", () => {
    const activity = {
      recipient: { id: BOT_ID, name: "Bridge" },
      channelData: { team: { id: "19:general@thread.tacv2" } },
      entities: [
        { type: "mention", mentioned: { id: BOT_ID, name: "Bridge" }, text: "<at>Bridge</at>" },
        { type: "mention", mentioned: { id: "29:1abc", name: "Ada Admin" }, text: "<at>Ada Admin</at>" },
        { type: "mention", mentioned: { id: "MjIy", name: "Card team", type: "tag" }, text: "<at>Card team</at>" },
        { type: "mention", mentioned: { id: "19:escalations@thread.tacv2", name: "Escalations" }, text: "<at>Escalations</at>" },
        { type: "mention", mentioned: { id: "19:general@thread.tacv2", name: "Retail" }, text: "<at>Retail</at>" },
        { type: "clientInfo", locale: "en-GB" },
      ],
    };
    assert.deepEqual(otherMentions(activity as never), [
      { kind: "person", name: "Ada Admin" },
      { kind: "tag", name: "Card team" },
      { kind: "channel", name: "Escalations" },
      { kind: "team", name: "Retail" },
    ]);
  });

  it("maps a new channel post that mentions the bot", () => {
    const message = mapStaffMessage(loadTeamsActivity("channel-new-post-mention"));
    assert.ok(message);
    assert.equal(message.tenantId, "9f0e8d7c-6b5a-4321-9fed-cba987654321");
    assert.equal(message.channelId, "19:4a5b6c7d8e9f@thread.tacv2");
    assert.equal(message.thread, "19:4a5b6c7d8e9f@thread.tacv2;messageid=1760000001000");
    assert.equal(message.messageId, "1760000001000");
    assert.equal(message.isThreadRoot, true);
    assert.equal(message.teamId, "19:0f1e2d3c4b5a@thread.tacv2");
    assert.equal(message.channelName, "WhatsApp Support");
    assert.equal(message.serviceUrl, "https://smba.trafficmanager.net/emea/");
    assert.deepEqual(message.author, { aadObjectId: "6b2e1c1a-3d4e-4f50-9a1b-2c3d4e5f6a7b", id: "29:1abcUserId", name: "Ana Staff" });
    assert.equal(message.channelType, undefined, "the fixture's channel names no type");
    assert.equal(message.mentionsBot, true);
    assert.equal(message.text, "link 123456789012345");
    assert.equal(message.attachmentCount, 0);
  });

  it("reads the channel's type when the activity names it (only the three words Teams uses)", () => {
    const activity = loadTeamsActivity("channel-new-post-mention");
    const withType = (type: unknown) =>
      mapStaffMessage({ ...activity, channelData: { ...activity.channelData, channel: { ...activity.channelData.channel, type } } });
    assert.equal(withType("private")?.channelType, "private");
    assert.equal(withType("shared")?.channelType, "shared");
    assert.equal(withType("standard")?.channelType, "standard");
    assert.equal(withType("Shared ")?.channelType, undefined);
  });

  it("maps a reply with a quote: thread from conversation.id, quote stripped, formatting kept", () => {
    const message = mapStaffMessage(loadTeamsActivity("channel-reply-with-quote"));
    assert.ok(message);
    assert.equal(message.thread, "19:4a5b6c7d8e9f@thread.tacv2;messageid=1760000002000");
    assert.equal(message.isThreadRoot, false);
    assert.equal(message.text, "It ships today & arrives Friday.\n- Tracking: ABC (https://track.example/ABC)\n- Thanks 😀");
    assert.deepEqual(message.body[0], {
      kind: "paragraph",
      inlines: [
        { kind: "text", text: "It ships " },
        { kind: "text", text: "today", marks: { bold: true } },
        { kind: "text", text: " & arrives " },
        { kind: "text", text: "Friday", marks: { italic: true } },
        { kind: "text", text: "." },
      ],
    });
    assert.ok(!message.text.includes("Where is my order"), "the quoted preview is not part of the message");
  });

  it("takes the thread from conversation.id even when replyToId says otherwise", () => {
    const activity = loadTeamsActivity("channel-reply-with-quote");
    activity.replyToId = "999";
    assert.equal(mapStaffMessage(activity)?.thread, "19:4a5b6c7d8e9f@thread.tacv2;messageid=1760000002000");
  });

  it("falls back to activity.text when there is no HTML attachment, still removing the bot mention", () => {
    const activity = loadTeamsActivity("channel-new-post-mention");
    activity.attachments = [];
    assert.equal(mapStaffMessage(activity)?.text, "link 123456789012345");
  });

  it("keeps other people's mentions as plain names and reports mentionsBot=false without a bot mention", () => {
    const activity = loadTeamsActivity("channel-new-post-mention");
    activity.attachments = [{ contentType: "text/html", content: `<p>ask <at id="0">Bob</at> please</p>` }];
    activity.entities = [{ type: "mention", mentioned: { id: "29:bob", name: "Bob" }, text: "<at>Bob</at>" }];
    const message = mapStaffMessage(activity);
    assert.equal(message?.text, "ask Bob please");
    assert.equal(message?.mentionsBot, false);
  });

  it("removes every mention of the bot, not only the first", () => {
    const activity = loadTeamsActivity("channel-new-post-mention");
    activity.attachments = [{ contentType: "text/html", content: `<p><at id="0">WhatsApp Bridge</at> status <at id="1">WhatsApp Bridge</at></p>` }];
    assert.equal(mapStaffMessage(activity)?.text, "status");
  });

  it("counts attachments other than the HTML body and pasted images (files, which bots never get)", () => {
    const activity = loadTeamsActivity("channel-new-post-mention");
    activity.attachments = [
      { contentType: "text/html", content: "<p>see picture</p>" },
      { contentType: "image/png", contentUrl: "https://smba.example/v3/attachments/1/views/original" },
      { contentType: "application/vnd.microsoft.teams.file.download.info", name: "a.pdf" },
    ];
    assert.equal(mapStaffMessage(activity)?.attachmentCount, 1);
  });

  it("takes the tenant from channelData, else from conversation.tenantId", () => {
    const activity = loadTeamsActivity("channel-new-post-mention");
    assert.equal(tenantOf(activity), "9f0e8d7c-6b5a-4321-9fed-cba987654321");
    activity.channelData = { channel: { id: "19:4a5b6c7d8e9f@thread.tacv2" } };
    activity.conversation.tenantId = "other-tenant";
    assert.equal(tenantOf(activity), "other-tenant");
    activity.conversation.tenantId = undefined;
    assert.equal(tenantOf(activity), undefined);
    assert.equal(mapStaffMessage(activity), undefined, "no tenant: not mappable");
  });

  it("returns undefined for a conversation id that is not a channel thread", () => {
    const activity = loadTeamsActivity("channel-new-post-mention");
    activity.conversation.id = "19:4a5b6c7d8e9f@thread.tacv2";
    assert.equal(mapStaffMessage(activity), undefined);
  });

  it("detects the bot's own messages and channel conversations", () => {
    const activity = loadTeamsActivity("channel-new-post-mention");
    assert.equal(isFromBot(activity), false);
    activity.from = { id: BOT_ID, name: "WhatsApp Bridge" };
    assert.equal(isFromBot(activity), true);
    assert.equal(isChannelActivity(activity), true);
    assert.equal(isChannelActivity(loadTeamsActivity("personal-chat-message")), false);
  });

  it("survives hostile HTML in the body", () => {
    const activity = loadTeamsActivity("channel-new-post-mention");
    activity.attachments = [
      { contentType: "text/html", content: `<p><at>WhatsApp Bridge</at> <img src=x onerror="alert(1)"><script>steal()</script>&lt;b&gt;hi</p><div` },
    ];
    assert.equal(mapStaffMessage(activity)?.text, "<b>hi\n<div");
  });
});
