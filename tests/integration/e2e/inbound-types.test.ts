import assert from "node:assert/strict";
import { BusinessNumberId, contactKeyOf, WaPhone } from "../../../src/core/ids";
import { customerMessage, EXAMPLE_BUSINESS, textMessage } from "../../../tools/sign-webhook";
import { ADMIN_AAD, startHarness, type Harness } from "../../support/bridge-harness";

/**
 * Every inbound WhatsApp type through the real HTTP path: signed webhooks in, and what the Bot
 * Connector stand-in received out, as Teams HTML text. Media are in inbound-media.test.ts.
 */

const MARIA = { phone: "5511987654321", userId: "BR.1873409921457730218", name: "Maria Souza" };
const BUSINESS = BusinessNumberId(EXAMPLE_BUSINESS.phoneNumberId);
const now = () => Math.floor(Date.now() / 1000);
const textOf = (a: Record<string, unknown>) => String(a.text ?? "");
/** The HTML with the escapes of brackets, quotes and ampersands undone, for matching words (not for injection checks). */
const words = (html: string) =>
  html
    .replace(/&#91;/g, "[")
    .replace(/&#93;/g, "]")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");

describe("inbound message types end to end", function () {
  this.timeout(60_000);
  let h: Harness;
  let thread: string;
  let seq = 0;
  const nextId = () => `wamid.types.${++seq}`;

  /** Posts a webhook for `spec` and resolves with the text of the new reply(ies) in Maria's thread. */
  async function deliver(spec: Parameters<Harness["envelope"]>[0], replies = 1): Promise<string[]> {
    const before = h.connector.posts.filter((p) => p.conversationId === thread).length;
    assert.equal(await h.postWebhook(h.envelope(spec)), 200);
    await h.connector.waitFor((s) => s.posts.filter((p) => p.conversationId === thread).length >= before + replies, 10_000);
    await h.bridge.bridge.idle();
    return h.connector.posts
      .filter((p) => p.conversationId === thread)
      .slice(before)
      .map((p) => textOf(p.activity));
  }

  before(async () => {
    h = await startHarness();
    await h.sendActivity(h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true }));
    assert.equal(await h.postWebhook(h.envelope(textMessage({ from: MARIA, text: "Hello *there*", id: nextId(), timestamp: now() }))), 200);
    await h.connector.waitFor((s) => s.created.length === 1 && s.posts.some((p) => p.conversationId === s.created[0]!.conversationId), 10_000);
    thread = h.connector.created[0]!.conversationId;
  });
  after(async () => h?.stop());

  it("text: WhatsApp markup becomes Teams formatting, with the sender and WhatsApp's time", async () => {
    const [html] = await deliver(
      textMessage({ from: MARIA, text: "*bold* _italic_ ~gone~ `x()`\n```\nnpm test\n```", id: nextId(), timestamp: 1_789_300_000 }),
    );
    assert.match(html!, /<strong>bold<\/strong>/);
    assert.match(html!, /<em>italic<\/em>/);
    assert.match(html!, /<s>gone<\/s>/);
    assert.match(html!, /<code>x\(\)<\/code>/);
    assert.match(html!, /<pre>npm test<\/pre>/);
    assert.match(html!, /Maria Souza/);
    assert.match(html!, /\+5511987654321/);
    assert.match(html!, new RegExp(`${new Date(1_789_300_000_000).toISOString().slice(11, 16)} UTC`), "WhatsApp's timestamp, not the time of posting");
  });

  it("customer text cannot inject HTML, markdown links or mentions", async () => {
    const attack =
      '<img src=x onerror=alert(1)> [Verify your account](https://evil.example/login) <at>General</at> <at id="0">CEO</at> <a href="https://evil.example">click</a>';
    const [html] = await deliver(textMessage({ from: MARIA, text: attack, id: nextId() }));
    assert.doesNotMatch(html!, /<img|<at|<a /i);
    assert.match(html!, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.match(html!, /&#91;Verify your account&#93;\(https:\/\/evil\.example\/login\)/);
    assert.match(html!, /&lt;at&gt;General&lt;\/at&gt;/);
    const post = h.connector.posts.at(-1)!.activity;
    assert.deepEqual(post.entities ?? [], [], "no mention entities");
  });

  it("location: name, address, coordinates and a map link", async () => {
    const [html] = await deliver(
      customerMessage({
        from: MARIA,
        id: nextId(),
        message: { type: "location", location: { latitude: -23.5613, longitude: -46.6565, name: "Depot Paulista", address: "Av. Paulista 1000, São Paulo" } },
      }),
    );
    assert.match(words(html!), /\[location\]/);
    assert.match(html!, /Depot Paulista/);
    assert.match(html!, /Av\. Paulista 1000/);
    assert.match(html!, /<a href="https:\/\/www\.google\.com\/maps\/search\/\?api=1&amp;query=-23\.561300,-46\.656500">https:/);
  });

  it("shared contacts: names, phones and emails", async () => {
    const contacts = [
      { name: { formatted_name: "João Lima" }, phones: [{ phone: "+55 11 91234-5678", type: "CELL" }], emails: [{ email: "joao@example.com" }] },
      { name: { first_name: "Ana" }, phones: [{ wa_id: "5511900001111" }] },
    ];
    const [html] = await deliver(customerMessage({ from: MARIA, id: nextId(), message: { type: "contacts", contacts } }));
    assert.match(words(html!), /\[shared contacts\]/);
    assert.match(html!, /João Lima.*\+55 11 91234-5678.*joao@example\.com/s);
    assert.match(html!, /Ana.*\+5511900001111/s);
  });

  it("a button reply shows what was tapped and quotes the business message it answered", async () => {
    const sent = await h.sendActivity(h.channelMessage("Is the delivery address still right?", { thread }));
    assert.equal(sent.status, 200);
    await h.metaGraph.waitForSends(1, 5_000);
    const businessWamid = h.metaGraph.sent.at(-1)!.wamid!;
    const [html] = await deliver(
      customerMessage({
        from: MARIA,
        id: nextId(),
        context: { from: EXAMPLE_BUSINESS.displayPhoneNumber, id: businessWamid },
        message: { type: "interactive", interactive: { type: "button_reply", button_reply: { id: "addr-yes", title: "Yes, correct" } } },
      }),
    );
    assert.match(words(html!), /\[tapped a button\]/);
    assert.match(html!, /Tapped: <strong>Yes, correct<\/strong>/);
    assert.match(words(html!), /<blockquote>.*In reply to the business's message.*Is the delivery address still right\?.*<\/blockquote>/s);
  });

  it("list replies and template quick replies say what was chosen", async () => {
    const [list] = await deliver(
      customerMessage({
        from: MARIA,
        id: nextId(),
        message: {
          type: "interactive",
          interactive: { type: "list_reply", list_reply: { id: "slot-2", title: "Tuesday 10:00", description: "Morning delivery" } },
        },
      }),
    );
    assert.match(words(list!), /\[chose from a list\]/);
    assert.match(list!, /Tuesday 10:00/);
    assert.match(list!, /Morning delivery/);
    const [button] = await deliver(
      customerMessage({ from: MARIA, id: nextId(), message: { type: "button", button: { text: "Stop promotions", payload: "STOP_PROMO" } } }),
    );
    assert.match(words(button!), /\[tapped a template button\]/);
    assert.match(button!, /Stop promotions/);
  });

  it("orders: items, quantities, prices and the total", async () => {
    const order = {
      catalog_id: "cat-77",
      text: "Gift wrap please",
      product_items: [
        { product_retailer_id: "MUG-RED", quantity: 2, item_price: 12.5, currency: "EUR" },
        { product_retailer_id: "TEE-L", quantity: "1", item_price: "20", currency: "EUR" },
      ],
    };
    const [html] = await deliver(customerMessage({ from: MARIA, id: nextId(), message: { type: "order", order } }));
    assert.match(words(html!), /\[order\]/);
    assert.match(html!, /2 × <strong>MUG-RED<\/strong> at 12\.50 EUR = 25\.00 EUR/);
    assert.match(html!, /Total: <\/strong>45\.00 EUR/);
    assert.match(html!, /Gift wrap please/);
  });

  it("a click-to-WhatsApp ad referral shows the ad the customer came from", async () => {
    const referral = {
      source_url: "https://fb.me/3cr4Wqqkv",
      source_id: "120226305854810726",
      source_type: "ad",
      headline: "Autumn sale",
      body: "30% off all mugs",
      media_type: "image",
    };
    const spec = customerMessage({ from: MARIA, id: nextId(), message: { type: "text", text: { body: "Is the sale still on?" }, referral } });
    const [html] = await deliver(spec);
    assert.match(html!, /Is the sale still on\?/);
    assert.match(html!, /Came from an ad: <strong>Autumn sale<\/strong>/);
    assert.match(html!, /30% off all mugs/);
    assert.match(html!, /<a href="https:\/\/fb\.me\/3cr4Wqqkv">/);
  });

  it("a reply to an earlier customer message quotes it; forwarded messages say so", async () => {
    const earlier = nextId();
    await deliver(textMessage({ from: MARIA, text: "My order number is 4471", id: earlier }));
    const [html] = await deliver(
      customerMessage({ from: MARIA, id: nextId(), context: { from: MARIA.phone, id: earlier }, message: { type: "text", text: { body: "see above" } } }),
    );
    assert.match(words(html!), /<blockquote>.*Maria Souza's message.*My order number is 4471.*<\/blockquote>/s);
    const [forwarded] = await deliver(textMessage({ from: MARIA, text: "chain letter", id: nextId(), forwarded: true }));
    assert.match(forwarded!, /Forwarded/);
  });

  it("reactions: “Maria reacted 👍 to: …”, and removal likewise", async () => {
    const target = nextId();
    await deliver(textMessage({ from: MARIA, text: "Thanks for the help", id: target }));
    const [added] = await deliver(customerMessage({ from: MARIA, id: nextId(), message: { type: "reaction", reaction: { message_id: target, emoji: "👍" } } }));
    assert.match(added!, /Maria Souza reacted 👍 to: “Thanks for the help”/);
    const [removed] = await deliver(customerMessage({ from: MARIA, id: nextId(), message: { type: "reaction", reaction: { message_id: target } } }));
    assert.match(removed!, /Maria Souza removed their reaction from: “Thanks for the help”/);
  });

  it("a reaction that arrives before its target is parked, then applied once the target is posted", async () => {
    const target = nextId();
    const reaction = nextId();
    const before = h.connector.posts.filter((p) => p.conversationId === thread).length;
    assert.equal(
      await h.postWebhook(
        h.envelope(
          customerMessage({ from: MARIA, id: reaction, timestamp: now() + 5, message: { type: "reaction", reaction: { message_id: target, emoji: "❤️" } } }),
        ),
      ),
      200,
    );
    await h.bridge.bridge.idle();
    assert.equal(h.connector.posts.filter((p) => p.conversationId === thread).length, before, "nothing posted while the target is missing");
    assert.equal((await h.bridge.stores.inbox.get(BUSINESS, `msg:${reaction}`))?.state, "pending", "parked, not dropped");
    assert.equal(await h.postWebhook(h.envelope(textMessage({ from: MARIA, text: "Here is the late one", id: target, timestamp: now() }))), 200);
    await h.connector.waitFor((s) => s.posts.filter((p) => p.conversationId === thread).length >= before + 2, 10_000);
    const texts = h.connector.posts
      .filter((p) => p.conversationId === thread)
      .slice(before)
      .map((p) => textOf(p.activity));
    assert.match(texts[0]!, /Here is the late one/);
    assert.match(texts[1]!, /Maria Souza reacted ❤️ to: “Here is the late one”/);
    await h.bridge.bridge.idle();
    assert.equal((await h.bridge.stores.inbox.get(BUSINESS, `msg:${reaction}`))?.state, "done");
  });

  it("an edit on a normal number (unsupported/edit) is said plainly", async () => {
    const [html] = await deliver(
      customerMessage({
        from: MARIA,
        id: nextId(),
        message: {
          type: "unsupported",
          unsupported: { type: "edit" },
          errors: [
            {
              code: 131051,
              title: "Message type unknown",
              message: "Message type unknown",
              error_data: { details: "Message type is currently not supported." },
            },
          ],
        },
      }),
    );
    assert.match(words(html!), /\[edited a message\]/);
    assert.match(html!, /WhatsApp does not share edits with this number/);
  });

  it("Coexistence edits and deletions show the new text / “deleted by the customer”, the original staying", async () => {
    const original = nextId();
    await deliver(textMessage({ from: MARIA, text: "Deliver on Monday", id: original }));
    const [edited] = await deliver(
      customerMessage({
        from: MARIA,
        id: nextId(),
        message: { type: "edit", edit: { original_message_id: original, message: { type: "text", text: { body: "Deliver on Tuesday" } } } },
      }),
    );
    assert.match(edited!, /edited a message in WhatsApp\. New text:.*Deliver on Tuesday/s);
    assert.match(edited!, /<blockquote>.*Deliver on Monday.*<\/blockquote>/s);
    const [deleted] = await deliver(customerMessage({ from: MARIA, id: nextId(), message: { type: "revoke", revoke: { original_message_id: original } } }));
    assert.match(deleted!, /deleted by the customer/);
    assert.match(deleted!, /Deliver on Monday/);
  });

  it("unknown types say “unsupported message (type X)” and are recorded", async () => {
    const id = nextId();
    const [html] = await deliver(customerMessage({ from: MARIA, id, message: { type: "poll_creation", poll: { question: "?" } } }));
    assert.match(html!, /unsupported message \(type poll_creation\)/);
    assert.equal((await h.bridge.stores.inbox.get(BUSINESS, `msg:${id}`))?.state, "done");
  });

  it("a number change re-keys the contact to the same thread and says so; the next message from the new number lands there", async () => {
    const [html] = await deliver(
      customerMessage({
        from: { phone: MARIA.phone },
        id: nextId(),
        message: {
          type: "system",
          system: { body: "User Maria Souza changed from 5511987654321 to 5511955554444", wa_id: "5511955554444", type: "user_changed_number" },
        },
      }),
    );
    assert.match(html!, /changed their WhatsApp number from \+5511987654321 to \+5511955554444/);
    const moved = await h.bridge.stores.conversations.get(contactKeyOf(BUSINESS, { phone: WaPhone("5511955554444") }));
    assert.equal(moved?.thread, thread);
    const [next] = await deliver(
      textMessage({ from: { phone: "5511955554444", userId: "BR.999000111222333", name: "Maria Souza" }, text: "new phone, same me", id: nextId() }),
    );
    assert.match(next!, /new phone, same me/);
    assert.equal(h.connector.created.length, 1, "no second thread");
    assert.equal((await h.bridge.stores.conversations.findByThread(thread as never))?.phone, "5511955554444", "replies go to the new number");
  });
});
