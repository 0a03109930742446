import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import type { Page } from "playwright-core";
import type { RootCardModel } from "../../src/core/ports/teams-gateway";
import { buildRootCard } from "../../src/teams/cards/root-card";
import { artifactPath, launchBrowser, type Browser } from "./support/browser";

const ROOT = resolve(__dirname, "../../..");
const STARTED = Date.UTC(2026, 10, 30, 14, 5);

/** Cards as the bridge builds them, rendered the way Teams would (its light host config). */
const CARDS: Record<string, RootCardModel> = {
  "root-card-first-message": {
    customerName: "Maria Souza",
    phone: "+5511987654321",
    businessDisplay: "+1 555-078-3881",
    firstMessage: "Hello, where is my order?",
    startedAt: STARTED,
  },
  "root-card-live": {
    customerName: "Leo",
    username: "leo.travels",
    businessDisplay: "+1 555-078-3881",
    firstMessage: "Can I change the delivery address?",
    startedAt: STARTED,
    live: {
      window: { open: true, closesAt: STARTED + 86_400_000 },
      lastOutbound: { ticks: "✓✓ read", at: STARTED + 120_000, excerpt: "Yes: reply with the new address" },
      optedOut: false,
    },
  },
  "root-card-hostile-text": {
    customerName: "[Verify](http://evil.example) *urgent*",
    phone: "+15550100",
    firstMessage: "**now** [Pay here](http://evil.example) <at>General</at>",
    startedAt: STARTED,
  },
  "root-card-long-tokens": {
    customerName: "Leo",
    phone: "+447700900123",
    businessDisplay: "+1 555-078-3881",
    startedAt: STARTED,
    firstMessage: `Where is it? https://tracking.example.com/parcel?id=${"a1b2c3d4e5f6".repeat(23)} sha 3f9a2c1b04de5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f`,
    live: {
      window: { open: true, closesAt: STARTED + 86_400_000 },
      lastOutbound: { ticks: "✓✓ read", at: STARTED + 60_000, excerpt: `See https://example.com/${"x".repeat(100)}` },
      optedOut: false,
    },
  },
};

/**
 * A page that renders one card with Microsoft's `adaptivecards` renderer (the same library family Teams
 * uses) and reports what the renderer thought of it: parse warnings, validation failures, the text shown.
 * TextBlocks go through markdown-it (the processor the renderer picks up), as Teams renders their
 * Markdown; without it, the backslash escapes of customer text would show as typed.
 */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="stylesheet" href="/adaptivecards.css">
<style>body { margin: 0; padding: 16px; background: #f5f5f5; font-family: "Segoe UI", system-ui, sans-serif; } #card { width: 420px; background: #fff; border-radius: 4px; box-shadow: 0 1px 3px rgba(0,0,0,.15); }</style>
</head><body><div id="card"></div>
<script src="/markdown-it.js"></script>
<script src="/adaptivecards.js"></script>
<script>
  window.renderCard = (cardJson, hostConfigJson) => {
    const card = new AdaptiveCards.AdaptiveCard();
    card.hostConfig = new AdaptiveCards.HostConfig(hostConfigJson);
    const context = new AdaptiveCards.SerializationContext();
    card.parse(cardJson, context);
    const parseEvents = [];
    for (let i = 0; i < context.eventCount; i++) parseEvents.push(context.getEventAt(i).message);
    const validation = card.validateProperties();
    const element = card.render();
    document.getElementById("card").replaceChildren(element);
    const edge = element.getBoundingClientRect().right;
    const overflow = [...element.querySelectorAll("*")].filter((e) => e.getBoundingClientRect().right > edge + 1).map((e) => e.textContent.slice(0, 40));
    if (element.scrollWidth > element.clientWidth + 1) overflow.unshift("the card scrolls sideways");
    return {
      parseEvents,
      validationFailures: validation.validationEvents.map((e) => e.message),
      text: element.innerText,
      links: element.querySelectorAll("a").length,
      height: element.getBoundingClientRect().height,
      overflow,
    };
  };
</script></body></html>`;

describe("Adaptive Cards in Chromium: the bridge's root card rendered with the Teams host config", function () {
  this.timeout(60_000);
  let server: Server;
  let origin: string;
  let browser: Browser;
  let page: Page;
  const hostConfig = JSON.parse(readFileSync(resolve(ROOT, "tests/fixtures/adaptive-card/hostconfig-teams-light.json"), "utf8")) as object;

  before(async () => {
    const files: Record<string, { type: string; body: Buffer | string }> = {
      "/": { type: "text/html; charset=utf-8", body: PAGE },
      "/adaptivecards.js": { type: "text/javascript", body: readFileSync(require.resolve("adaptivecards/dist/adaptivecards.min.js")) },
      "/adaptivecards.css": { type: "text/css", body: readFileSync(require.resolve("adaptivecards/dist/adaptivecards.css")) },
      // markdown-it's package exports hide its browser build; it sits next to the CommonJS entry point.
      "/markdown-it.js": { type: "text/javascript", body: readFileSync(join(dirname(require.resolve("markdown-it")), "browser/markdown-it.umd.min.js")) },
    };
    server = createServer((request, response) => {
      const file = files[request.url ?? ""];
      response.writeHead(file ? 200 : 404, { "content-type": file?.type ?? "text/plain" });
      response.end(file?.body ?? "not found");
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser({ width: 480, height: 720 });
    page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    await page.goto(`${origin}/`);
    assert.deepEqual(errors, [], "the renderer loads without errors");
  });

  after(async () => {
    await browser?.close();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  });

  for (const [name, model] of Object.entries(CARDS)) {
    it(`renders ${name} without warnings, showing its text`, async () => {
      const result = (await page.evaluate(
        ([card, config]) => (window as unknown as { renderCard: (c: unknown, h: unknown) => unknown }).renderCard(card, config),
        [buildRootCard(model), hostConfig] as const,
      )) as {
        parseEvents: string[];
        validationFailures: string[];
        text: string;
        links: number;
        height: number;
        overflow: string[];
      };
      assert.deepEqual(result.parseEvents, [], "the renderer understood every element and property");
      assert.deepEqual(result.validationFailures, [], "the renderer's own validation passes");
      assert.ok(result.height > 80, `the card has a body (height ${result.height})`);
      assert.match(result.text, /WhatsApp conversation/);
      // Long tokens get line breaks (TextRuns cannot wrap): compare without them.
      const shownFlat = result.text.replace(/\s+/g, "");
      assert.ok(shownFlat.includes(model.firstMessage.replace(/\s+/g, "").slice(0, 200)), "the first message is shown");
      assert.deepEqual(result.overflow, [], "nothing reaches past the card's edge");
      if (model.live?.lastOutbound) assert.ok(result.text.includes(model.live.lastOutbound.ticks), "the ticks of the last message sent are shown");
      // Customer text never turns into links or emphasis: it is shown literally.
      assert.equal(result.links, 0);
      if (name === "root-card-hostile-text") {
        // Also in the summary line, a Markdown TextBlock: its escapes are consumed, the text stays literal.
        assert.ok(result.text.includes("WhatsApp · [Verify](http://evil.example) *urgent* · +15550100: **now** [Pay here](http://evil.example)"), result.text);
      }
      await page.locator("#card").screenshot({ path: artifactPath(`card-${name}`) });
    });
  }
});
