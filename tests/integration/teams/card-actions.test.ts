import assert from "node:assert/strict";
import type { Activity } from "botbuilder";
import type { TemplateCardModel } from "../../../src/core/staff-message";
import { templateId, type MessageTemplate } from "../../../src/core/templates";
import { ADAPTIVE_CARD_CONTENT_TYPE } from "../../../src/teams/cards/adaptive-card";
import { CHANNEL, postActivity, RecordingHandler, TeamsWorld, TENANT } from "./teams-test-kit";

const THREAD = `${CHANNEL};messageid=1760000002000`;
const CARD_MESSAGE = "1760000003000";
const TEMPLATE: MessageTemplate = { name: "order_update", language: "en_US", category: "UTILITY", body: "Hi {{1}}, order {{2}} ships today.", buttons: [] };
const FILL: TemplateCardModel = {
  step: "fill",
  template: TEMPLATE,
  values: { header: {}, body: { "1": "Ana", "2": "ABC-123" } },
  preview: "Hi Ana, order ABC-123 ships today.",
};

type CardAttachment = { contentType: string; content: { version: string; body: unknown[]; actions?: Array<{ title: string }> } };
const attachmentsOf = (activity: Record<string, unknown>) => activity.attachments as CardAttachment[] | undefined;

describe("Teams /api/messages: card actions", () => {
  let world: TeamsWorld;
  before(async () => {
    world = await TeamsWorld.start();
  });
  after(async () => {
    await world.close();
  });
  beforeEach(() => world.resetBetweenTests());

  async function sendSigned(bot: ReturnType<TeamsWorld["createBot"]>["bot"], activity: Activity) {
    return postActivity(bot, activity, `Bearer ${await world.tokenFor(activity)}`);
  }

  describe("Action.Submit (a message with value)", () => {
    it("reaches onCardAction with the thread, the card message, the author and the data; never onStaffMessage", async () => {
      const handler = new RecordingHandler();
      const { bot } = world.createBot({ handler });
      const res = await sendSigned(bot, world.activity("channel-card-submit"));
      assert.equal(res.status, 200);
      assert.equal(handler.calls.length, 0, "not a staff message");
      assert.equal(handler.actions.length, 1);
      const action = handler.actions[0]!;
      assert.equal(action.thread, THREAD);
      assert.equal(action.channelId, CHANNEL);
      assert.equal(action.tenantId, TENANT);
      assert.equal(action.messageId, CARD_MESSAGE);
      assert.equal(action.serviceUrl, world.standin.serviceUrl);
      assert.equal(action.author.name, "Ana Staff");
      assert.deepEqual(action.data, { bridgeAction: "template.preview", template: "order_update|en_US", "b:1": "Ana", "b:2": "ABC-123" });
      assert.equal(world.standin.requests.length, 0, "nothing to answer");
    });

    it("replaces the pressed card in place when the answer is a template card with replace: a PUT holding only the card", async () => {
      const handler = new RecordingHandler();
      handler.answerAction = async () => ({ kind: "template-card", card: FILL, replace: true });
      const { bot } = world.createBot({ handler });
      assert.equal((await sendSigned(bot, world.activity("channel-card-submit"))).status, 200);
      assert.equal(world.standin.posts.length, 0, "no new message");
      assert.equal(world.standin.updates.length, 1);
      const update = world.standin.updates[0]!;
      assert.equal(update.conversationId, THREAD);
      assert.equal(update.activityId, CARD_MESSAGE);
      assert.equal(world.standin.requests[0]!.method, "PUT");
      assert.equal(update.activity.text, undefined);
      const [attachment, ...others] = attachmentsOf(update.activity) ?? [];
      assert.equal(others.length, 0);
      assert.equal(attachment?.contentType, ADAPTIVE_CARD_CONTENT_TYPE);
      assert.deepEqual(
        attachment?.content.actions?.map((a) => a.title),
        ["Preview", "Send to customer", "Cancel"],
      );
      assert.ok(JSON.stringify(attachment?.content).includes("Hi Ana, order ABC-123 ships today."), "the preview is on the card");
      assert.ok(await world.issuer.isConnectorToken(update.authorization));
    });

    it("posts a template card without replace as a new message in the thread, card only", async () => {
      const handler = new RecordingHandler();
      handler.answerAction = async () => ({
        kind: "template-card",
        card: { step: "pick", templates: [{ id: templateId(TEMPLATE), label: "order_update (en_US)" }] },
      });
      const { bot } = world.createBot({ handler });
      assert.equal((await sendSigned(bot, world.activity("channel-card-submit"))).status, 200);
      assert.equal(world.standin.updates.length, 0);
      assert.equal(world.standin.posts.length, 1);
      const post = world.standin.posts[0]!;
      assert.equal(post.conversationId, THREAD);
      assert.equal(post.activity.text, undefined);
      assert.equal(attachmentsOf(post.activity)?.length, 1);
    });

    it("posts text and notice answers as Teams HTML, and a failing handler as an error notice", async () => {
      const handler = new RecordingHandler();
      handler.answerAction = async () => ({ kind: "notice", notice: { kind: "reaction-not-sent", why: "The customer opted out <now>." } });
      const { bot, logger } = world.createBot({ handler });
      await sendSigned(bot, world.activity("channel-card-submit"));
      assert.equal(world.standin.posts[0]!.activity.text, "<p>⚠️ <em>Your reaction was not sent to WhatsApp: The customer opted out &lt;now&gt;.</em></p>");
      handler.answerAction = async () => {
        throw new Error("store down");
      };
      assert.equal((await sendSigned(bot, world.activity("channel-card-submit"))).status, 200);
      assert.match(String(world.standin.posts[1]!.activity.text), /^<p>❌ <em>Something went wrong/);
      assert.ok(logger.lines.some((l) => l.level === "error" && l.event === "teams.card_action.failed"));
    });
  });

  it("routes only card data as a card action: a message without text whose value is null is an ordinary (empty) message", async () => {
    const handler = new RecordingHandler();
    const { bot, logger } = world.createBot({ handler });
    const res = await sendSigned(
      bot,
      world.activity("channel-card-submit", (a) => {
        (a as { value: unknown }).value = null;
      }),
    );
    assert.equal(res.status, 200);
    assert.equal(handler.actions.length, 0);
    assert.equal(handler.calls.length, 1);
    assert.ok(!logger.events().includes("teams.turn.failed"));
  });

  it("posts the template card that onStaffMessage answers (e.g. `@bot template`), card only", async () => {
    const handler = new RecordingHandler();
    handler.answer = async () => ({
      kind: "template-card",
      card: { step: "pick", reason: { kind: "window-closed", group: false }, templates: [{ id: templateId(TEMPLATE), label: "order_update (en_US)" }] },
      replace: true,
    });
    const { bot } = world.createBot({ handler });
    assert.equal((await sendSigned(bot, world.activity("channel-reply-with-quote"))).status, 200);
    assert.equal(handler.calls.length, 1);
    assert.equal(world.standin.updates.length, 0, "replace needs a pressed card: a message is never replaced");
    assert.equal(world.standin.posts.length, 1);
    const post = world.standin.posts[0]!;
    assert.equal(post.conversationId, THREAD);
    assert.equal(post.activity.text, undefined);
    const content = attachmentsOf(post.activity)?.[0]?.content;
    assert.equal(content?.version, "1.5");
    assert.deepEqual(
      content?.actions?.map((a) => a.title),
      ["Next"],
    );
  });

  describe("Action.Execute (adaptiveCard/action invoke)", () => {
    it("reaches onCardAction and answers a replacing card in the invoke response, updating the card for everyone", async () => {
      const handler = new RecordingHandler();
      handler.answerAction = async () => ({
        kind: "template-card",
        card: { step: "sent", template: TEMPLATE, text: "Hi Ana, order ABC-123 ships today.", by: "Ana Staff" },
        replace: true,
      });
      const { bot } = world.createBot({ handler });
      const res = await sendSigned(bot, world.activity("channel-card-execute-invoke"));
      assert.equal(res.status, 200);
      assert.equal(handler.actions[0]?.data.bridgeAction, "template.send");
      assert.equal(handler.actions[0]?.thread, THREAD);
      const body = res.body as { statusCode: number; type: string; value: { version: string } };
      assert.equal(body.statusCode, 200);
      assert.equal(body.type, ADAPTIVE_CARD_CONTENT_TYPE);
      assert.equal(body.value.version, "1.5");
      assert.ok(JSON.stringify(body.value).includes("✅ Sent by Ana Staff"));
      assert.equal(world.standin.updates.length, 1);
      assert.equal(world.standin.updates[0]!.activityId, CARD_MESSAGE);
    });

    it("posts other answers in the thread and acknowledges with a message", async () => {
      const handler = new RecordingHandler();
      handler.answerAction = async () => ({ kind: "notice", notice: { kind: "template-cancelled" } });
      const { bot } = world.createBot({ handler });
      const res = await sendSigned(bot, world.activity("channel-card-execute-invoke"));
      assert.deepEqual(res.body, { statusCode: 200, type: "application/vnd.microsoft.activity.message", value: "Template not sent." });
      assert.equal(world.standin.posts.length, 1);
      assert.equal(world.standin.posts[0]!.activity.text, "<p>Template not sent.</p>");
    });

    it("answers an error outside a channel thread, without calling the core", async () => {
      const handler = new RecordingHandler();
      const { bot } = world.createBot({ handler });
      const res = await sendSigned(
        bot,
        world.activity("channel-card-execute-invoke", (a) => {
          a.conversation.id = CHANNEL;
        }),
      );
      assert.equal(res.status, 200);
      assert.equal((res.body as { statusCode: number }).statusCode, 400);
      assert.equal(handler.actions.length, 0);
      assert.equal(world.standin.requests.length, 0);
    });
  });
});
