import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FrameLocator, Locator, Page } from "playwright-core";
import { startDemoStack, type DemoStack } from "../../tools/demo/demo-stack";
import { landingHtml, startLandingPage, type LandingPage } from "../../tools/demo/landing-page";
import { PLAYGROUND } from "../../tools/playground";
import { launchBrowser, screenshot, type Browser } from "./support/browser";

/**
 * The demo as a newcomer uses it, in a real browser: the landing page with the WhatsApp simulator and
 * Microsoft's Agents Playground side by side, the bridge between them. Steps depend on each other and
 * run in order.
 */
describe("demo in the browser: WhatsApp simulator ⇄ bridge ⇄ Agents Playground", function () {
  this.timeout(60_000);
  let dataDir: string;
  let stack: DemoStack;
  let landing: LandingPage;
  let browser: Browser;
  let page: Page;
  let simulator: FrameLocator;
  let teams: FrameLocator;

  const CUSTOMER = "Maria Souza";
  const thread = () => teams.locator(".fui-Card", { hasText: "WhatsApp conversation" }).filter({ hasText: CUSTOMER });
  const bubble = (text: string) => simulator.locator(".msg", { hasText: text });

  before(async function () {
    this.timeout(90_000);
    dataDir = mkdtempSync(join(tmpdir(), "e2e-demo-"));
    stack = await startDemoStack({ dataDir });
    landing = await startLandingPage(
      landingHtml({
        simulatorUrl: stack.simulator.url,
        playgroundUrl: stack.playground.url,
        businessNumber: stack.simulator.business.displayPhoneNumber,
        botName: PLAYGROUND.bot.name,
        channelName: PLAYGROUND.channel.name,
      }),
      0,
    );
    // A common desktop size: the Playground's frame keeps its channel list (it folds it below 1280 px).
    browser = await launchBrowser({ width: 1920, height: 1080 });
    page = await browser.newPage();
    await page.goto(landing.url);
    simulator = page.frameLocator('iframe[title="WhatsApp simulator"]');
    teams = page.frameLocator('iframe[title="Microsoft 365 Agents Playground"]');
    // The Playground shows only threads created while its page is open: open the channel first.
    await teams.getByRole("treeitem", { name: `${PLAYGROUND.team.name} - ${PLAYGROUND.channel.name}` }).click();
    await teams.getByText("Start a new post").waitFor();
    // More room for the thread in the screenshots: the Playground's log panel is for debugging bots.
    await teams.getByRole("button", { name: "Toggle Log Panel" }).click();
  });

  after(async () => {
    await browser?.close();
    await landing?.close();
    await stack?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("1. a customer's first message becomes a new thread in the WhatsApp channel: the root card, then the message", async () => {
    await simulator.getByLabel("Profile name").fill(CUSTOMER);
    await simulator.getByLabel("Phone number").fill("+55 11 98765-4321");
    await simulator.getByRole("button", { name: "Add customer" }).click();
    await simulator.getByRole("textbox", { name: "Message" }).fill("Hello, where is my order?");
    await simulator.getByRole("button", { name: "Send", exact: true }).click();

    // ✓✓ once the bridge accepted the webhook; blue if the bridge has marked it read already.
    await expectAttribute(bubble("Hello, where is my order?"), "data-status", ["delivered", "read"]);
    const card = thread();
    await card.waitFor({ timeout: 15_000 });
    await card.getByText("+5511987654321").first().waitFor();
    // The customer's message is a reply in the thread, after the card (which quotes it too).
    await card.locator("p", { hasText: CUSTOMER }).filter({ hasText: "UTC" }).waitFor();
    const texts = await card.getByText("Hello, where is my order?").count();
    assert.ok(texts >= 2, `the card's first-message line and the reply: found ${texts}`);
    await screenshot(page, "01-customer-message-becomes-thread");
  });

  it("2. a staff reply that mentions the bot reaches the customer; its ticks advance to read, and the root card shows it", async () => {
    const card = thread();
    await card.getByRole("textbox").click();
    await page.keyboard.type("@WhatsApp");
    await teams.getByRole("menuitem", { name: PLAYGROUND.bot.name }).click();
    await page.keyboard.type(" Your order ships today.");
    await card.getByRole("button", { name: "Send Message" }).click();

    const reply = bubble("Your order ships today.");
    await reply.waitFor({ timeout: 15_000 });
    assert.equal(await reply.getAttribute("data-direction"), "out");
    // The simulator page has the chat open, so the customer reads it: ✓ → ✓✓ → blue ✓✓.
    await expectAttribute(reply, "data-status", ["read"]);
    assert.equal(await reply.locator(".ticks").getAttribute("aria-label"), "read");
    const shown = stack.simulator.state.messages.find((m) => m.direction === "out" && m.text?.includes("Your order ships"));
    assert.equal(shown?.status, "read");
    await scrollIntoView(card.getByText("Your order ships today.").last());
    // The root card shows the live state: the last message sent and its ticks, updated in place.
    await card
      .getByText(/Last sent:\s*✓✓ read/)
      .first()
      .waitFor({ timeout: 15_000 });
    await screenshot(page, "02-staff-reply-read-by-customer");
  });

  it("3. the customer's image appears in the thread as an image, after its caption line, with no error shown", async () => {
    const card = thread();
    const before = await card.locator("p", { hasText: "UTC" }).count();
    await simulator.getByRole("textbox", { name: "Message" }).fill("Photo of the parcel");
    const png = await page.evaluate(() => {
      const canvas = document.createElement("canvas");
      canvas.width = 160;
      canvas.height = 120;
      const g = canvas.getContext("2d")!;
      g.fillStyle = "#c8a165";
      g.fillRect(0, 0, 160, 120);
      g.fillStyle = "#6b4f2a";
      g.fillRect(70, 0, 20, 120);
      return canvas.toDataURL("image/png").split(",")[1]!;
    });
    await simulator.locator("#image-file").setInputFiles({ name: "parcel.png", mimeType: "image/png", buffer: Buffer.from(png, "base64") });

    await expectAttribute(simulator.locator(".msg[data-type=image]"), "data-status", ["delivered", "read"]);
    await card.getByText("Photo of the parcel").waitFor({ timeout: 15_000 });
    assert.ok((await card.locator("p", { hasText: "UTC" }).count()) > before, "a new reply from the customer in the thread");
    // A small image: a card holding it as a data: URL, which the Playground renders (an image/* attachment it does not).
    const image = card.locator('img[src^="data:image/png"]');
    await image.waitFor({ timeout: 15_000 });
    await scrollIntoView(image);
    const shown = await image.evaluate((img: HTMLImageElement) => ({
      natural: img.naturalWidth,
      width: img.getBoundingClientRect().width,
      height: img.getBoundingClientRect().height,
    }));
    assert.equal(shown.natural, 160, "the image decoded");
    assert.equal(Math.round((shown.width / shown.height) * 100), Math.round((160 / 120) * 100), `in its proportions: ${shown.width} × ${shown.height}`);
    assert.doesNotMatch(await card.innerText(), /not supported yet/, "no error in the thread");
    await screenshot(page, "03-customer-image-in-thread");
    // The Playground's log panel reports unknown attachments as errors: none here.
    await teams.getByRole("button", { name: "Toggle Log Panel" }).click();
    assert.doesNotMatch(await teams.locator("body").innerText(), /unknown attachment type|not supported yet|Error:/i);
  });
});

/** Scrolls to `locator` for the screenshot; the Playground re-renders a thread when its root card is updated, so retry. */
async function scrollIntoView(locator: Locator): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await locator.scrollIntoViewIfNeeded({ timeout: 5_000 });
      return;
    } catch (err) {
      if (attempt >= 5 || !(err instanceof Error) || !/not attached|detached/i.test(err.message)) throw err;
    }
  }
}

/** Waits until `locator`'s attribute has one of `values` (its ticks, for instance), failing with what it had. */
async function expectAttribute(locator: Locator, name: string, values: readonly string[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen: string | null = null;
  while (Date.now() < deadline) {
    seen = (await locator.count()) > 0 ? await locator.first().getAttribute(name) : null;
    if (seen !== null && values.includes(seen)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`${name} stayed ${JSON.stringify(seen)}, expected one of ${JSON.stringify(values)}`);
}
