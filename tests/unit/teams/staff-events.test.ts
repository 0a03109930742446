import assert from "node:assert/strict";
import { mapStaffMessage } from "../../../src/teams/activity-mapper";
import { isInlineImage } from "../../../src/teams/inline-images";
import { mapStaffMessageChange, mapStaffReaction, reactionEmoji } from "../../../src/teams/staff-events-turn";
import { loadTeamsActivity } from "./teams-fixtures";

describe("staff reactions, edits, quotes and pasted images (Teams mapping)", () => {
  it("maps Teams reaction types to emoji", () => {
    assert.equal(reactionEmoji("like"), "👍");
    assert.equal(reactionEmoji("heart"), "❤️");
    assert.equal(reactionEmoji("laugh"), "😆");
    assert.equal(reactionEmoji("1f44d_thumbsup"), "👍");
    assert.equal(reactionEmoji("1f937-200d-2642-fe0f_manshrugging"), "🤷‍♂️");
    assert.equal(reactionEmoji("🎉"), "🎉");
    assert.equal(reactionEmoji("<script>"), undefined);
    assert.equal(reactionEmoji(undefined), undefined);
  });

  it("maps a messageReaction on a thread message: target from replyToId, added and removed emoji", () => {
    const activity = {
      ...loadTeamsActivity("channel-reply-with-quote"),
      type: "messageReaction",
      replyToId: "1760000002100",
      reactionsAdded: [{ type: "like" }],
      reactionsRemoved: [{ type: "heart" }, { type: "nonsense!" }],
    };
    const reaction = mapStaffReaction(activity);
    assert.equal(reaction?.target, "1760000002100");
    assert.equal(reaction?.thread, "19:4a5b6c7d8e9f@thread.tacv2;messageid=1760000002000");
    assert.deepEqual(reaction?.added, ["👍"]);
    assert.deepEqual(reaction?.removed, ["❤️"]);
    assert.equal(mapStaffReaction({ ...activity, conversation: { id: "a:personal-chat" } as never }), undefined);
  });

  it("maps edits and soft deletes; ignores undeletes and other updates", () => {
    const base = loadTeamsActivity("channel-reply-with-quote");
    const edit = mapStaffMessageChange({ ...base, type: "messageUpdate", channelData: { ...(base.channelData as object), eventType: "editMessage" } });
    assert.deepEqual(edit && { id: edit.messageId, change: edit.change }, { id: "1760000002500", change: "edited" });
    assert.equal(
      mapStaffMessageChange({ ...base, type: "messageDelete", channelData: { eventType: "softDeleteMessage", tenant: { id: "t" } } })?.change,
      "deleted",
    );
    assert.equal(mapStaffMessageChange({ ...base, type: "messageUpdate", channelData: { eventType: "undeleteMessage", tenant: { id: "t" } } }), undefined);
  });

  it("takes the quoted Teams message id of a reply with quote", () => {
    const message = mapStaffMessage(loadTeamsActivity("channel-reply-with-quote"));
    assert.equal(message?.quotedMessageId, "1760000002100");
    assert.doesNotMatch(message?.text ?? "", /Where is my order/, "the quoted preview is not part of the reply");
    assert.equal(mapStaffMessage(loadTeamsActivity("channel-new-post-mention"))?.quotedMessageId, undefined);
  });

  it("tells pasted images (fetched) from files (never delivered to bots)", () => {
    assert.equal(isInlineImage({ contentType: "image/*", contentUrl: "https://smba.trafficmanager.net/emea/v3/attachments/1/views/original" }), true);
    assert.equal(isInlineImage({ contentType: "image/png" }), false);
    assert.equal(isInlineImage({ contentType: "application/vnd.microsoft.teams.file.download.info", contentUrl: "https://x" }), false);
    assert.equal(isInlineImage(undefined), false);
  });
});
