import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { startWhatsAppSimulator, type WhatsAppSimulator } from "../../tools/whatsapp-simulator";
import { launchBrowser, screenshot, type Browser } from "./support/browser";

/**
 * The simulator page's groups, in a real browser: a person creates a group, lets two customers join,
 * writes as each of them, sees the business's group message with its per-member ticks, renames the group
 * and lets a member leave. A plain receiver stands in for the bridge and keeps the webhook bodies.
 */
describe("WhatsApp simulator page: groups in the browser", function () {
  this.timeout(60_000);
  let simulator: WhatsAppSimulator;
  let receiver: Server;
  let bodies: string[];
  let browser: Browser;
  let page: Page;

  before(async () => {
    bodies = [];
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (c: Buffer) => chunks.push(c));
      request.on("end", () => {
        bodies.push(Buffer.concat(chunks).toString("utf8"));
        response.writeHead(200);
        response.end("{}");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const { port } = receiver.address() as AddressInfo;
    simulator = await startWhatsAppSimulator({
      appSecret: "s",
      accessToken: "t",
      webhookUrl: `http://127.0.0.1:${port}/hook`,
      tickDelaysMs: { sent: 50, delivered: 50 },
    });
    browser = await launchBrowser({ width: 1280, height: 900 });
    page = await browser.newPage();
    const problems: string[] = [];
    page.on("pageerror", (err) => problems.push(err.message));
    await page.goto(simulator.url);
    assert.deepEqual(problems, [], "the page's scripts load without errors");
  });
  after(async () => {
    await browser?.close();
    await simulator?.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it("creates a group, lets customers join and writes as each of them", async () => {
    simulator.addCustomer({ name: "Sheena Nelson", phone: "+1 650 555 1234" });
    await page.getByLabel("Group subject", { exact: true }).fill("Flat 4B viewing");
    await page.getByRole("button", { name: "New group" }).click();
    await page.locator("#chat-title", { hasText: "Flat 4B viewing" }).waitFor();

    await page.getByLabel("Customer who joins").selectOption({ label: "Sheena Nelson" });
    await page.getByRole("button", { name: "Joins via link" }).click();
    await page.getByLabel("New member's name").fill("Tiago Mingo");
    await page.getByLabel("New member's username").fill("tiago.mingo");
    await page.getByRole("button", { name: "Joins via link" }).click();
    await page.locator("#group-members .member", { hasText: "Tiago Mingo" }).waitFor();

    await page.getByLabel("Write as").selectOption({ label: "Sheena Nelson" });
    await page.getByRole("textbox", { name: "Message" }).fill("Is Friday still on?");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.getByLabel("Write as").selectOption({ label: "Tiago Mingo" });
    await page.getByRole("textbox", { name: "Message" }).fill("Same question");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    const tiagoBubble = page.locator(".msg.mine", { hasText: "Same question" });
    await tiagoBubble.locator(".ticks-delivered").waitFor();
    assert.equal(await tiagoBubble.locator(".sender").textContent(), "Tiago Mingo");
    assert.ok(bodies.some((b) => b.includes('"group_id"') && b.includes("Is Friday still on?")));
    assert.equal(await page.locator(".msg", { hasText: "Is Friday still on?" }).count(), 1, "shown once, in the group only");
  });

  it("shows the business's group message with each member's ticks, then renames the group and lets a member leave", async () => {
    const group = simulator.state.groups[0]!;
    await fetch(`${simulator.metaGraphUrl}/${simulator.business.phoneNumberId}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer t" },
      body: JSON.stringify({ messaging_product: "whatsapp", recipient_type: "group", to: group.id, type: "text", text: { body: "Yes, 3pm Friday." } }),
    });
    const reply = page.locator(".msg.theirs", { hasText: "Yes, 3pm Friday." });
    // Tiago is "writing" (chosen in Write as), so the page reads it for him only: ticks stay grey until all read.
    await reply.locator(".ticks-delivered").waitFor();
    await page.waitForFunction(() => (document.querySelector(".msg.theirs .ticks")?.getAttribute("aria-label") ?? "").includes("Tiago Mingo: read"));
    assert.match((await reply.locator(".ticks").getAttribute("aria-label")) ?? "", /Sheena Nelson: delivered/);

    await page.getByLabel("New group subject").fill("Flat 4B – Saturday");
    await page.getByRole("button", { name: "Rename" }).click();
    await page.locator("#chat-title", { hasText: "Flat 4B – Saturday" }).waitFor();
    await page.getByRole("button", { name: "Sheena Nelson leaves the group" }).click();
    await page.locator("#group-members .member", { hasText: "Sheena Nelson" }).waitFor({ state: "detached" });
    assert.ok(bodies.some((b) => b.includes('"initiated_by":"participant"')));
    await screenshot(page, "simulator-groups");
  });
});
