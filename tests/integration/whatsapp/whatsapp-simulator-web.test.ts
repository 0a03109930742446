import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startWhatsAppSimulator, type WhatsAppSimulator } from "../../../tools/whatsapp-simulator";

/** The simulator's page and JSON API, over HTTP, as the page's script uses them. */
describe("WhatsApp simulator: page and API", () => {
  let simulator: WhatsAppSimulator;
  let bridge: Server;
  let webhookBodies: string[];

  before(async () => {
    webhookBodies = [];
    // A bridge that accepts everything: these tests are about the simulator's own HTTP surface.
    bridge = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (c: Buffer) => chunks.push(c));
      request.on("end", () => {
        webhookBodies.push(Buffer.concat(chunks).toString("utf8"));
        response.writeHead(200, { "content-type": "application/json" });
        response.end("{}");
      });
    });
    await new Promise<void>((resolve) => bridge.listen(0, "127.0.0.1", resolve));
    const { port } = bridge.address() as AddressInfo;
    simulator = await startWhatsAppSimulator({ appSecret: "s", accessToken: "t", webhookUrl: `http://127.0.0.1:${port}/api/whatsapp/webhook` });
  });
  after(async () => {
    await simulator.close();
    await new Promise<void>((resolve) => bridge.close(() => resolve()));
  });

  const post = (path: string, body: unknown) =>
    fetch(new URL(path, simulator.url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  it("serves the page and its script on 127.0.0.1 next to the Graph API", async () => {
    assert.match(simulator.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(simulator.url);
    assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
    assert.match(await page.text(), /<script src="\/app\.js"><\/script>\s*<script src="\/groups\.js"><\/script>/);
    for (const file of ["/app.js", "/groups.js"]) {
      const script = await fetch(new URL(file, simulator.url));
      assert.match(script.headers.get("content-type") ?? "", /^text\/javascript/, file);
    }
    const graph = await fetch(`${simulator.metaGraphUrl}/unknown/edge`);
    assert.equal(graph.status, 400, "Graph paths still answer like Graph");
    assert.equal(((await graph.json()) as { error: { code: number } }).error.code, 100);
  });

  it("creates customers and refuses malformed ones with a readable reason", async () => {
    const created = await post("/api/customers", { name: "Maria", phone: "+55 11 98765-4321" });
    assert.equal(created.status, 201);
    const customer = (await created.json()) as { phone: string; userId: string };
    assert.equal(customer.phone, "5511987654321");
    for (const bad of [{ name: "", phone: "123456789" }, { name: "X" }, { name: "X", phone: "12" }, { name: "Dup", phone: "5511987654321" }]) {
      const refused = await post("/api/customers", bad);
      assert.equal(refused.status, 400, JSON.stringify(bad));
      assert.ok(((await refused.json()) as { error: string }).error.length > 0);
    }
  });

  it("streams changes: a text sent through the API shows up as sending, then delivered", async () => {
    const customer = simulator.addCustomer({ name: "Streamer", username: "stream.er" });
    const controller = new AbortController();
    const stream = await fetch(new URL("/api/events", simulator.url), { signal: controller.signal });
    assert.equal(stream.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const reader = stream.body!.getReader();
    const accepted = await post(`/api/customers/${customer.id}/messages`, { type: "text", text: "Hello, where is my order?" });
    assert.equal(accepted.status, 202);
    let received = "";
    const deadline = Date.now() + 5_000;
    while (!received.includes('"status":"delivered"') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      received += Buffer.from(value).toString("utf8");
    }
    controller.abort();
    const statuses = [...received.matchAll(/^data: (.*)$/gm)]
      .map((m) => JSON.parse(m[1]!) as { kind: string; message?: { text: string; status: string } })
      .filter((e) => e.kind === "message")
      .map((e) => `${e.message!.text}:${e.message!.status}`);
    assert.deepEqual(statuses, ["Hello, where is my order?:sending", "Hello, where is my order?:delivered"]);
    assert.ok(webhookBodies.some((b) => b.includes("Hello, where is my order?")));
  });

  it("accepts an image as base64, refuses a non-image as an image, and serves the stored file back", async () => {
    const customer = simulator.addCustomer({ name: "Pic", phone: "447700900555" });
    const png = Buffer.from("89504e470d0a1a0a", "hex");
    const refused = await post(`/api/customers/${customer.id}/messages`, {
      type: "image",
      filename: "a.gif",
      mimeType: "image/gif",
      dataBase64: png.toString("base64"),
    });
    assert.equal(refused.status, 400);
    const accepted = await post(`/api/customers/${customer.id}/messages`, {
      type: "image",
      filename: "a.png",
      mimeType: "image/png",
      dataBase64: png.toString("base64"),
      caption: "look",
    });
    assert.equal(accepted.status, 202);
    const shown = await simulator.waitFor(() => simulator.state.messages.find((m) => m.customerId === customer.id && m.type === "image"));
    const served = await fetch(new URL(`/api/media/${shown.mediaId}`, simulator.url));
    assert.equal(served.headers.get("content-type"), "image/png");
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), png);
  });

  it("plays a group over the API: create, join (new or existing customer), write as a member, rename, leave", async () => {
    const created = await post("/api/groups", { subject: "  Flat 4B viewing " });
    assert.equal(created.status, 201);
    const group = (await created.json()) as { id: string; subject: string; inviteLink: string };
    assert.equal(group.subject, "Flat 4B viewing");
    const existing = simulator.addCustomer({ name: "Sheena", phone: "16505551234" });
    assert.equal((await post(`/api/groups/${group.id}/members`, { customerId: existing.id })).status, 201);
    const joined = await post(`/api/groups/${group.id}/members`, { name: "Tiago", username: "tiago.mingo" });
    assert.equal(((await joined.json()) as { members: string[] }).members.length, 2);
    assert.equal((await post(`/api/groups/${group.id}/members`, { customerId: existing.id })).status, 400, "already a member");
    const outsider = simulator.addCustomer({ name: "Out", phone: "447700900888" });
    assert.equal((await post(`/api/groups/${group.id}/messages`, { authorId: outsider.id, type: "text", text: "hi" })).status, 400);
    assert.equal((await post(`/api/groups/${group.id}/messages`, { authorId: existing.id, type: "location", latitude: 1, longitude: 2 })).status, 400);
    assert.equal((await post(`/api/groups/${group.id}/messages`, { authorId: existing.id, type: "text", text: "Group hello" })).status, 202);
    const message = await simulator.waitFor(() => simulator.state.messages.find((m) => m.groupId === group.id && m.status === "delivered"));
    assert.equal(message.customerId, existing.id);
    assert.equal((await post(`/api/groups/${group.id}/subject`, { subject: "Saturday instead" })).status, 204);
    const left = await fetch(new URL(`/api/groups/${group.id}/members/${existing.id}`, simulator.url), { method: "DELETE" });
    assert.equal(left.status, 204);
    const state = (await (await fetch(new URL("/api/state", simulator.url))).json()) as { groups: Array<{ id: string; subject: string; members: string[] }> };
    const shown = state.groups.find((g) => g.id === group.id);
    assert.equal(shown?.subject, "Saturday instead");
    assert.equal(shown?.members.length, 1);
    assert.equal((await post("/api/groups/nope/members", { customerId: existing.id })).status, 404);
    assert.ok(webhookBodies.some((b) => b.includes('"field":"group_settings_update"') && b.includes("Saturday instead")));
  });

  it("only lets customers react to the business's messages", async () => {
    const customer = simulator.addCustomer({ name: "Reactor", phone: "447700900777" });
    const own = await simulator.send(customer.id, { type: "text", text: "mine" });
    const refused = await post(`/api/customers/${customer.id}/messages`, { type: "reaction", messageId: own!.id, emoji: "👍" });
    assert.equal(refused.status, 400);
  });
});
