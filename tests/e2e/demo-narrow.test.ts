import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FrameLocator, Locator, Page } from "playwright-core";
import { startDemoStack, type DemoStack } from "../../tools/demo/demo-stack";
import { landingHtml, startLandingPage, type LandingPage } from "../../tools/demo/landing-page";
import { PLAYGROUND } from "../../tools/playground";
import { launchBrowser, screenshot, type Browser } from "./support/browser";

const WIDTH = 1280;
const HEIGHT = 800;
const LONG_LINK = `https://tracking.example.com/parcel?id=${"a1b2c3d4e5f6".repeat(23)}&lang=en`;

/** Where `root` or anything in it reaches past `root`'s right edge (empty: nothing does). */
function overflowOf(root: Locator): Promise<string[]> {
  return root.evaluate((element) => {
    const edge = element.getBoundingClientRect().right;
    const found: string[] = [];
    if (element.scrollWidth > element.clientWidth + 1) found.push(`scrolls sideways: ${element.scrollWidth} > ${element.clientWidth}`);
    for (const child of Array.from(element.querySelectorAll("*"))) {
      const box = child.getBoundingClientRect();
      if (box.width > 0 && box.right > edge + 1)
        found.push(`<${child.tagName.toLowerCase()}> "${(child.textContent ?? "").slice(0, 40)}" ends at ${Math.round(box.right)}, past ${Math.round(edge)}`);
    }
    return found.slice(0, 5);
  });
}

/**
 * The demo on a 1280 × 800 screen, the narrowest it supports: the page opens with both panes side by
 * side and nothing off-screen; the Playground's channel list is behind ☰; a customer's long link, a
 * file's SHA-256 line and a larger photo stay inside the thread and the card, with no error shown.
 */
describe(`demo in the browser at ${WIDTH} × ${HEIGHT}`, function () {
  this.timeout(60_000);
  let dataDir: string;
  let stack: DemoStack;
  let landing: LandingPage;
  let browser: Browser;
  let page: Page;
  let simulator: FrameLocator;
  let teams: FrameLocator;

  const threadOf = (customer: string) => teams.locator(".fui-Card", { hasText: "WhatsApp conversation" }).filter({ hasText: customer });

  async function addCustomerAndSay(name: string, phone: string, text: string): Promise<void> {
    await simulator.getByLabel("Profile name").fill(name);
    await simulator.getByLabel("Phone number").fill(phone);
    await simulator.getByRole("button", { name: "Add customer" }).click();
    await simulator.getByRole("textbox", { name: "Message" }).fill(text);
    await simulator.getByRole("button", { name: "Send", exact: true }).click();
  }

  before(async function () {
    this.timeout(90_000);
    dataDir = mkdtempSync(join(tmpdir(), "e2e-narrow-"));
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
    browser = await launchBrowser({ width: WIDTH, height: HEIGHT });
    page = await browser.newPage();
    await page.goto(landing.url);
    simulator = page.frameLocator('iframe[title="WhatsApp simulator"]');
    teams = page.frameLocator('iframe[title="Microsoft 365 Agents Playground"]');
    await simulator.getByRole("button", { name: "Add customer" }).waitFor();
    await teams.getByText("Getting Started").waitFor();
  });

  after(async () => {
    await browser?.close();
    await landing?.close();
    await stack?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("opens with nothing off-screen sideways: the simulator and the Playground side by side, both in view", async () => {
    const page_ = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, innerWidth, innerHeight, scrollX }));
    assert.ok(page_.scrollWidth <= page_.innerWidth, `the page is ${page_.scrollWidth} px wide in a ${page_.innerWidth} px window`);
    assert.equal(page_.scrollX, 0);
    for (const title of ["WhatsApp simulator", "Microsoft 365 Agents Playground"]) {
      const frame = page.locator(`iframe[title="${title}"]`);
      assert.ok(await frame.isVisible(), `${title} is visible`);
      const box = (await frame.boundingBox())!;
      assert.ok(box.x >= 0 && box.x + box.width <= page_.innerWidth, `${title} lies within the window: ${JSON.stringify(box)}`);
      assert.ok(box.y < page_.innerHeight && box.y + box.height <= page_.innerHeight + 1, `${title} is on screen: ${JSON.stringify(box)}`);
      assert.ok(box.width >= 420 && box.height >= 400, `${title} is usable: ${JSON.stringify(box)}`);
    }
    // The simulator page itself does not scroll sideways in its narrower frame either.
    const inner = await simulator.locator("body").evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, innerWidth }));
    assert.ok(inner.scrollWidth <= inner.innerWidth, `the simulator is ${inner.scrollWidth} px wide in a ${inner.innerWidth} px frame`);
    await screenshot(page, "demo-1280x800");
  });

  it("the channel list is behind ☰ at the Playground's top left; the log panel closes for room", async () => {
    await teams.getByRole("button", { name: "Toggle app bar and conversation window" }).hover();
    await teams.getByRole("treeitem", { name: `${PLAYGROUND.team.name} - ${PLAYGROUND.channel.name}` }).click();
    await teams.getByText("Start a new post").waitFor();
    await teams.getByRole("button", { name: "Toggle Log Panel" }).click();
    await page.mouse.move(WIDTH / 2, HEIGHT / 2);
  });

  it("a 300-character link and a file's SHA-256 line stay inside the thread and the root card", async () => {
    assert.ok(LONG_LINK.length >= 300);
    await addCustomerAndSay("Leo", "+44 7700 900123", `Where is it? ${LONG_LINK}`);
    const thread = threadOf("Leo");
    await thread.waitFor({ timeout: 15_000 });
    // The root card quotes it, and the customer's message follows in the thread.
    await thread.locator("p", { hasText: "Where is it? https://tracking.example.com" }).last().waitFor({ timeout: 15_000 });
    await simulator.locator("#document-file").setInputFiles({ name: "delivery-note.txt", mimeType: "text/plain", buffer: Buffer.from("Delivery note 4471\n") });
    await thread.getByText("SHA-256:").waitFor({ timeout: 15_000 });

    // The file's link (a long address too) keeps its exact address, whatever its text shows.
    const fileLink = thread.locator('a[href*="/media/"]').first();
    const href = (await fileLink.getAttribute("href"))!;
    assert.ok(href.startsWith(`${stack.bridge.url}/media/`) && !/\s/.test(href), href);
    assert.equal((await fetch(href)).status, 200, "and it opens");
    const card = thread.locator(".ac-adaptiveCard").first();
    await card.getByText("Leo").first().waitFor();
    await thread.getByText("SHA-256:").scrollIntoViewIfNeeded();
    await screenshot(page, "demo-1280x800-long-link-and-hash");
    assert.deepEqual(await overflowOf(thread), [], "nothing reaches past the thread");
    assert.deepEqual(await overflowOf(card), [], "nothing reaches past the root card (it would be cut off)");
  });

  it("a customer's photo too large for a card shows as an image in its proportions; one too large for the Playground says so; no error anywhere", async () => {
    await addCustomerAndSay("Maria Souza", "+55 11 98765-4321", "Hello, the parcel arrived like this");
    const thread = threadOf("Maria Souza");
    await thread.waitFor({ timeout: 15_000 });
    // 640 × 480 (≈ 48 KB): above the card budget, under the Playground's 100 KB a request.
    const photo = await jpeg(640, 480, 2000, 0.8);
    assert.ok(photo.length > 20_000 && photo.length < 70_000, `${photo.length} bytes`);
    await simulator.locator("#image-file").setInputFiles({ name: "parcel.jpg", mimeType: "image/jpeg", buffer: photo });

    const image = thread.locator('img[src^="data:image/jpeg"]');
    await image.waitFor({ timeout: 20_000 });
    await image.scrollIntoViewIfNeeded();
    const shown = await image.evaluate((img: HTMLImageElement) => ({
      natural: img.naturalWidth,
      width: img.getBoundingClientRect().width,
      height: img.getBoundingClientRect().height,
    }));
    assert.equal(shown.natural, 640, "the image decoded");
    assert.ok(Math.abs(shown.width / shown.height - 4 / 3) < 0.02, `shown in its proportions: ${shown.width} × ${shown.height}`);
    await screenshot(page, "demo-1280x800-photo");

    // 800 × 600 (≈ 110 KB): the Playground refuses the request (413), so a line stands in for it.
    const big = await jpeg(800, 600, 4000, 0.9);
    assert.ok(big.length > 80_000 && big.length < 1_000_000, `${big.length} bytes`);
    await simulator.locator("#image-file").setInputFiles({ name: "parcel-large.jpg", mimeType: "image/jpeg", buffer: big });
    await thread.getByText(/is too large to show in the thread: open it from its link above/).waitFor({ timeout: 20_000 });
    assert.equal(await thread.locator('img[src^="data:image/jpeg"]').count(), 1, "only the first photo is drawn");

    await teams.getByRole("button", { name: "Toggle Log Panel" }).click();
    const text = await teams.locator("body").innerText();
    assert.doesNotMatch(text, /not supported yet|unknown attachment type|Error:/i, "no error in the thread or the Playground's log");
  });

  /** A JPEG drawn in the page: a gradient with `squares` coloured squares (its size grows with them). */
  async function jpeg(width: number, height: number, squares: number, quality: number): Promise<Buffer> {
    const base64 = await page.evaluate(
      ([w, h, n, q]) => {
        const canvas = document.createElement("canvas");
        canvas.width = w;
        canvas.height = h;
        const g = canvas.getContext("2d")!;
        const gradient = g.createLinearGradient(0, 0, w, h);
        gradient.addColorStop(0, "#c8a165");
        gradient.addColorStop(1, "#6b4f2a");
        g.fillStyle = gradient;
        g.fillRect(0, 0, w, h);
        for (let i = 0; i < n; i++) {
          g.fillStyle = `hsl(${(i * 37) % 360} 60% 50% / 0.5)`;
          g.fillRect((i * 97) % w, (i * 61) % h, 6, 6);
        }
        return canvas.toDataURL("image/jpeg", q).split(",")[1]!;
      },
      [width, height, squares, quality] as const,
    );
    return Buffer.from(base64, "base64");
  }
});
