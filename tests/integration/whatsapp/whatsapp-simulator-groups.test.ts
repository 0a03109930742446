import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { startWhatsAppSimulator, type WhatsAppSimulator } from "../../../tools/whatsapp-simulator";

const APP_SECRET = "group-simulator-secret";
const TOKEN = "group-simulator-token";
const FIXTURES = join(__dirname, "../../../../tests/fixtures/meta/groups");

interface Change {
  field: string;
  value: Record<string, unknown> & {
    groups?: Array<Record<string, unknown>>;
    messages?: Array<Record<string, unknown>>;
    statuses?: Array<Record<string, unknown>>;
    contacts?: Array<Record<string, unknown>>;
  };
}

/** The keys of the first item of `groups`/`messages`/`statuses` in a fixture (Meta's documented shape). */
function fixtureKeys(file: string, list: "groups" | "messages" | "statuses"): string[] {
  const body = JSON.parse(readFileSync(join(FIXTURES, `${file}.json`), "utf8")) as { entry: Array<{ changes: Change[] }> };
  return Object.keys(body.entry[0]!.changes[0]!.value[list]![0]!).sort();
}
const keys = (o: Record<string, unknown> | undefined) => Object.keys(o ?? {}).sort();

/**
 * Groups in the WhatsApp simulator, seen from the bridge's side of the wire: every webhook must be signed
 * like Meta's and shaped like the fixtures of docs/protocols.md A17. A plain receiver checks the
 * signature itself, since the bridge's group parsing is not what is under test here.
 */
describe("WhatsApp simulator: groups", () => {
  let simulator: WhatsAppSimulator;
  let receiver: Server;
  let webhookUrl: string;
  let changes: Change[];

  const received = (field: string, probe: (c: Change) => boolean = () => true) => changes.filter((c) => c.field === field && probe(c));
  const waitForChange = async (field: string, probe: (c: Change) => boolean = () => true, timeoutMs = 5_000): Promise<Change> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = received(field, probe)[0];
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${field} webhook arrived; got ${JSON.stringify(changes.map((c) => c.field))}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const graph = async (path: string, method: string, body?: unknown) => {
    const response = await fetch(`${simulator.metaGraphUrl}/${path}`, {
      method,
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      ...(body !== undefined ? { body: JSON.stringify({ messaging_product: "whatsapp", ...(body as object) }) } : {}),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  before(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (c: Buffer) => chunks.push(c));
      request.on("end", () => {
        const raw = Buffer.concat(chunks);
        const expected = Buffer.from(`sha256=${createHmac("sha256", APP_SECRET).update(raw).digest("hex")}`);
        const given = Buffer.from(String(request.headers["x-hub-signature-256"] ?? ""));
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
          response.writeHead(401);
          response.end();
          return;
        }
        const body = JSON.parse(raw.toString("utf8")) as { object: string; entry: Array<{ id: string; changes: Change[] }> };
        assert.equal(body.object, "whatsapp_business_account");
        for (const entry of body.entry) changes.push(...entry.changes);
        response.writeHead(200, { "content-type": "application/json" });
        response.end("{}");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/whatsapp/webhook`;
  });
  beforeEach(async () => {
    changes = [];
    simulator = await startWhatsAppSimulator({
      appSecret: APP_SECRET,
      accessToken: TOKEN,
      webhookUrl,
      tickDelaysMs: { sent: 10, delivered: 10 },
      retryDelaysMs: [20],
    });
  });
  afterEach(async () => {
    await simulator.close();
  });
  after(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  /** A group with Sheena (phone) and Tiago (username only), both joined through the link. */
  async function groupOfTwo() {
    const sheena = simulator.addCustomer({ name: "Sheena Nelson", phone: "+1 650 555 1234" });
    const tiago = simulator.addCustomer({ name: "Tiago Mingo", username: "tiago.mingo" });
    const group = await simulator.groups.createGroup("Flat 4B viewing");
    await simulator.groups.join(group.id, sheena.id);
    await simulator.groups.join(group.id, tiago.id);
    return { sheena, tiago, group };
  }

  it("announces a group made on the page with group_create, and joins with group_participants_add, in Meta's shapes", async () => {
    const { sheena, tiago, group } = await groupOfTwo();
    const [created] = received("group_lifecycle_update");
    const item = created?.value.groups?.[0];
    assert.deepEqual(keys(item), fixtureKeys("lifecycle_create_succeeded", "groups"));
    assert.equal(item?.group_id, group.id);
    assert.equal(item?.invite_link, group.inviteLink);
    assert.equal(simulator.metaGraph.getGroup(group.id)?.subject, "Flat 4B viewing");
    const joins = received("group_participants_update").map((c) => c.value.groups?.[0]);
    assert.deepEqual(
      joins.map((j) => j?.type),
      ["group_participants_add", "group_participants_add"],
    );
    assert.deepEqual(keys(joins[0]), fixtureKeys("participants_add_invite_link", "groups"));
    assert.deepEqual(joins[0]?.added_participants, [{ wa_id: "16505551234", user_id: sheena.userId }]);
    assert.deepEqual(joins[1]?.added_participants, [{ user_id: tiago.userId, username: "tiago.mingo" }], "no phone for a username-only member");
    assert.equal(simulator.metaGraph.getGroup(group.id)?.participants.length, 2);
  });

  it("sends a member's text and image with group_id, the member as sender and contact", async () => {
    const { sheena, tiago, group } = await groupOfTwo();
    const text = await simulator.groups.send(group.id, sheena.id, { type: "text", text: "Is Friday still on?" });
    assert.equal(text?.status, "delivered");
    const image = await simulator.groups.send(group.id, tiago.id, {
      type: "image",
      bytes: Buffer.from("ffd8ffd9", "hex"),
      mimeType: "image/jpeg",
      caption: "Floor plan",
    });
    assert.equal(image?.groupId, group.id);
    const [first, second] = received("messages").map((c) => c.value);
    assert.deepEqual(keys(first?.messages?.[0]), fixtureKeys("message_text_participant_a", "messages"));
    assert.equal(first?.messages?.[0]?.group_id, group.id);
    assert.equal(first?.messages?.[0]?.from, "16505551234");
    assert.deepEqual(first?.contacts, [{ profile: { name: "Sheena Nelson" }, wa_id: "16505551234", user_id: sheena.userId }]);
    const wireImage = second?.messages?.[0];
    assert.equal(wireImage?.group_id, group.id);
    assert.equal(wireImage?.from, undefined, "a username-only member has no phone");
    assert.equal(wireImage?.from_user_id, tiago.userId);
    assert.ok(simulator.metaGraph.getMedia(String((wireImage?.image as { id?: string }).id)), "the image is in the media store");
    await assert.rejects(
      simulator.groups.send(group.id, simulator.addCustomer({ name: "Outsider", phone: "447700900123" }).id, { type: "text", text: "hi" }),
      /only members/,
    );
  });

  it("answers a business group send once for the group, then delivered per member in one webhook, then read per member", async () => {
    const { sheena, tiago, group } = await groupOfTwo();
    const { json } = await graph(`${simulator.business.phoneNumberId}/messages`, "POST", {
      recipient_type: "group",
      to: group.id,
      type: "text",
      text: { body: "Yes, 3pm Friday." },
      biz_opaque_callback_data: "thread-7",
    });
    const wamid = (json.messages as Array<{ id: string; group_id: string }>)[0]!;
    assert.equal(wamid.group_id, group.id);
    assert.deepEqual(
      simulator.metaGraph.sent.map((s) => [s.recipientType, s.to]),
      [["group", group.id]],
      "one send, to the group, none to a member",
    );

    const sent = await waitForChange("messages", (c) => c.value.statuses?.[0]?.status === "sent");
    assert.deepEqual(keys(sent.value.statuses?.[0]), fixtureKeys("status_sent_to_group", "statuses"));
    assert.equal(sent.value.statuses?.[0]?.recipient_id, group.id);
    const delivered = await waitForChange("messages", (c) => c.value.statuses?.[0]?.status === "delivered");
    assert.deepEqual(keys(delivered.value.statuses?.[0]), fixtureKeys("status_delivered_per_participant", "statuses"));
    assert.deepEqual(
      delivered.value.statuses?.map((s) => [s.recipient_participant_id, s.recipient_participant_user_id]),
      [
        ["16505551234", sheena.userId],
        [undefined, tiago.userId],
      ],
    );
    assert.deepEqual(
      delivered.value.contacts?.map((c) => c.user_id),
      [sheena.userId, tiago.userId],
    );
    assert.equal(simulator.state.message(wamid.id)?.status, "delivered");

    simulator.groups.markRead(group.id, sheena.id);
    const read = await waitForChange("messages", (c) => c.value.statuses?.[0]?.status === "read");
    assert.deepEqual(
      read.value.statuses?.map((s) => s.recipient_participant_user_id),
      [sheena.userId],
    );
    assert.equal(read.value.statuses?.[0]?.biz_opaque_callback_data, "thread-7");
    assert.deepEqual(simulator.state.message(wamid.id)?.receipts, { [sheena.id]: "read", [tiago.id]: "delivered" });
    assert.equal(simulator.state.message(wamid.id)?.status, "delivered", "blue ticks only once everyone read");
  });

  it("reports a member leaving (initiated_by participant) and a member renaming the group (settings update)", async () => {
    const { sheena, group } = await groupOfTwo();
    await simulator.groups.leave(group.id, sheena.id);
    const left = received("group_participants_update", (c) => c.value.groups?.[0]?.type === "group_participants_remove")[0]?.value.groups?.[0];
    assert.deepEqual(keys(left), fixtureKeys("participants_left", "groups"));
    assert.equal(left?.initiated_by, "participant");
    assert.deepEqual(left?.removed_participants, [{ wa_id: "16505551234", user_id: sheena.userId }]);
    assert.equal(simulator.metaGraph.getGroup(group.id)?.participants.length, 1);
    await simulator.groups.rename(group.id, "Flat 4B – Saturday");
    const renamed = received("group_settings_update")[0]?.value.groups?.[0];
    assert.deepEqual(renamed?.group_subject, { text: "Flat 4B – Saturday", update_successful: true });
    assert.equal(simulator.state.group(group.id)?.subject, "Flat 4B – Saturday");
  });

  it("answers the bridge's Groups API calls with webhooks: create (same request id), settings, removal, delete", async () => {
    const created = await graph(`${simulator.business.phoneNumberId}/groups`, "POST", { subject: "Made by the bridge" });
    const lifecycle = await waitForChange("group_lifecycle_update");
    const item = lifecycle.value.groups?.[0];
    assert.equal(item?.request_id, created.json.request_id);
    const groupId = String(item?.group_id);
    assert.equal(simulator.state.group(groupId)?.subject, "Made by the bridge");

    const sheena = simulator.addCustomer({ name: "Sheena Nelson", phone: "16505551234" });
    await simulator.groups.join(groupId, sheena.id);
    const update = await graph(groupId, "POST", { subject: "Renamed by staff" });
    const settings = await waitForChange("group_settings_update");
    assert.equal(settings.value.groups?.[0]?.request_id, update.json.request_id);
    assert.equal(simulator.state.group(groupId)?.subject, "Renamed by staff");

    await graph(`${groupId}/participants`, "DELETE", { participants: [{ user: "+16505551234" }] });
    const removal = await waitForChange("group_participants_update", (c) => c.value.groups?.[0]?.initiated_by === "business");
    assert.deepEqual(removal.value.groups?.[0]?.removed_participants, [{ input: "+16505551234" }]);
    assert.deepEqual(simulator.state.group(groupId)?.members, []);

    await graph(groupId, "DELETE");
    const deleted = await waitForChange("group_lifecycle_update", (c) => c.value.groups?.[0]?.type === "group_delete");
    assert.deepEqual(keys(deleted.value.groups?.[0]), fixtureKeys("lifecycle_delete_succeeded", "groups"));
    assert.equal(simulator.state.group(groupId)?.deleted, true);
  });

  it("reports a scripted creation failure as group_create with errors and no group", async () => {
    simulator.metaGraph.failNextGroupCreate({ code: 131211, title: "Group create limit reached", details: "Reached the limit." });
    const created = await graph(`${simulator.business.phoneNumberId}/groups`, "POST", { subject: "One too many" });
    const item = (await waitForChange("group_lifecycle_update")).value.groups?.[0];
    assert.equal(item?.request_id, created.json.request_id);
    assert.equal(item?.group_id, undefined);
    assert.equal((item?.errors as Array<{ code: number }>)[0]?.code, 131211);
    assert.equal(simulator.state.groups.length, 0);
  });

  it("marks a member's group messages read when the bridge marks one read, leaving their one-to-one chat alone", async () => {
    const { sheena, group } = await groupOfTwo();
    const direct = await simulator.send(sheena.id, { type: "text", text: "Private question" });
    const inGroup = await simulator.groups.send(group.id, sheena.id, { type: "text", text: "Group question" });
    await graph(`${simulator.business.phoneNumberId}/messages`, "POST", { status: "read", message_id: inGroup?.id });
    await simulator.waitFor(() => simulator.state.message(inGroup!.id)?.status === "read");
    assert.equal(simulator.state.message(direct!.id)?.status, "delivered");
  });
});
