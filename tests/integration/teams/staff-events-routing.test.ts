import assert from "node:assert/strict";
import type { Activity } from "botbuilder";
import type { StaffMessageChange, StaffReaction, StaffReply } from "../../../src/core/staff-message";
import { postActivity, RecordingHandler, TeamsWorld } from "./teams-test-kit";

/** Records reactions and message changes too, answering each with a notice. */
class EventsHandler extends RecordingHandler {
  readonly reactions: StaffReaction[] = [];
  readonly changes: StaffMessageChange[] = [];
  async onStaffReaction(reaction: StaffReaction): Promise<StaffReply | undefined> {
    this.reactions.push(reaction);
    return undefined;
  }
  async onStaffMessageChange(change: StaffMessageChange): Promise<StaffReply | undefined> {
    this.changes.push(change);
    return { kind: "notice", notice: { kind: "edit-not-forwarded", change: change.change } };
  }
}

/** Reactions, edits and deletions reach the core through teams-ai's typed routes (teams-app.ts). */
describe("Teams /api/messages: staff reactions, edits and deletions", () => {
  let world: TeamsWorld;
  before(async () => {
    world = await TeamsWorld.start();
  });
  after(async () => {
    await world.close();
  });
  beforeEach(() => world.resetBetweenTests());

  async function send(patch: (a: Activity) => void) {
    const handler = new EventsHandler();
    const { bot, logger } = world.createBot({ handler });
    const activity = world.activity("channel-reply-with-quote", patch);
    const res = await postActivity(bot, activity, `Bearer ${await world.tokenFor(activity)}`);
    return { res, handler, logger };
  }

  it("a reaction that adds and removes in one activity reaches the core once, with both lists", async () => {
    const { res, handler } = await send((a) =>
      Object.assign(a, { type: "messageReaction", reactionsAdded: [{ type: "like" }], reactionsRemoved: [{ type: "heart" }], replyToId: "1760000002100" }),
    );
    assert.equal(res.status, 200);
    assert.deepEqual(
      handler.reactions.map((r) => [r.target, r.added, r.removed]),
      [["1760000002100", ["👍"], ["❤️"]]],
    );
    assert.equal(handler.calls.length, 0);
  });

  it("a removed reaction alone reaches the core", async () => {
    const { handler } = await send((a) => Object.assign(a, { type: "messageReaction", reactionsRemoved: [{ type: "like" }], replyToId: "1760000002100" }));
    assert.deepEqual(
      handler.reactions.map((r) => [r.added, r.removed]),
      [[[], ["👍"]]],
    );
  });

  it("edits and soft deletes reach the core and its answer is posted in the thread; an undelete is ignored", async () => {
    const edited = await send((a) => Object.assign(a, { type: "messageUpdate", channelData: { ...(a.channelData as object), eventType: "editMessage" } }));
    assert.deepEqual(
      edited.handler.changes.map((c) => [c.messageId, c.change]),
      [["1760000002500", "edited"]],
    );
    assert.equal(
      world.standin.posts.at(-1)?.activity.text,
      "<p>ℹ️ <em>This reply was already delivered on WhatsApp: editing it in Teams does not change what the customer received. Send a new message to correct it.</em></p>",
    );
    const deleted = await send((a) =>
      Object.assign(a, { type: "messageDelete", channelData: { ...(a.channelData as object), eventType: "softDeleteMessage" } }),
    );
    assert.deepEqual(
      deleted.handler.changes.map((c) => c.change),
      ["deleted"],
    );
    const undeleted = await send((a) =>
      Object.assign(a, { type: "messageUpdate", channelData: { ...(a.channelData as object), eventType: "undeleteMessage" } }),
    );
    assert.equal(undeleted.res.status, 200);
    assert.equal(undeleted.handler.changes.length, 0);
    assert.equal(undeleted.handler.calls.length, 0, "not a new staff message either");
    assert.ok(undeleted.logger.events().includes("teams.activity.ignored"));
  });
});
