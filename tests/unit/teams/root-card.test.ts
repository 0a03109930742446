import assert from "node:assert/strict";
import type { ValidateFunction } from "ajv";
import type { RootCardModel } from "../../../src/core/ports/teams-gateway";
import { buildRootCard, escapeCardMarkdown, rootCardSummary } from "../../../src/teams/cards/root-card";
import { compileCardSchema, texts } from "./card-schema";

const STARTED = Date.UTC(2026, 10, 30, 14, 5);

describe("root card", () => {
  let validate: ValidateFunction;
  before(() => {
    validate = compileCardSchema();
  });

  const models: Record<string, RootCardModel> = {
    full: {
      customerName: "Ana Lima",
      phone: "+5511987654321",
      username: "ana.l",
      businessDisplay: "+1 555-078-3881",
      firstMessage: "Hi, where is my order #123?",
      startedAt: STARTED,
    },
    minimal: { firstMessage: "", startedAt: STARTED },
    usernameOnly: { customerName: "Bo", username: "@bo_b", firstMessage: "hello", startedAt: STARTED },
    hostile: {
      customerName: "\u202eCEO [Verify](http://evil.example) *urgent*",
      phone: "+15550100",
      firstMessage: "[Verify account](https://evil.example) **now** _pls_ <at>General</at>\n# title\n1. one",
      startedAt: STARTED,
    },
    liveOpen: {
      customerName: "Ana Lima",
      phone: "+5511987654321",
      firstMessage: "hi",
      startedAt: STARTED,
      live: {
        window: { open: true, closesAt: Date.UTC(2026, 11, 1, 14, 5) },
        lastOutbound: { ticks: "✓✓ delivered", at: Date.UTC(2026, 10, 30, 14, 7), excerpt: "Your order ships today" },
        optedOut: false,
      },
    },
    liveClosedOptedOut: {
      phone: "+5511987654321",
      firstMessage: "STOP",
      startedAt: STARTED,
      live: {
        window: { open: false },
        lastOutbound: { ticks: "✓ sent", at: STARTED, excerpt: "[Pay here](http://evil.example) **now** {{DATE(2026-01-01T00:00:00Z)}}\nline two" },
        optedOut: true,
      },
    },
    liveNothingSent: {
      phone: "+5511987654321",
      firstMessage: "hi",
      startedAt: STARTED,
      live: { window: { open: true, closesAt: STARTED + 86_400_000 }, optedOut: false },
    },
  };

  for (const [name, model] of Object.entries(models)) {
    it(`is a valid Adaptive Card 1.5 (${name})`, () => {
      const card = buildRootCard(model);
      assert.equal(card.type, "AdaptiveCard");
      assert.equal(card.version, "1.5");
      assert.equal(card.$schema, "http://adaptivecards.io/schemas/adaptive-card.json");
      assert.ok(validate(card), JSON.stringify(validate.errors, null, 1));
    });
  }

  it("the schema check can fail: a card with a wrong element is refused", () => {
    const card = { ...buildRootCard(models.full!), body: [{ type: "TextBlock" }] };
    assert.equal(validate(card), false);
  });

  it("shows header, name, phone, business number, start time and first message", () => {
    const { blocks, runs } = texts(buildRootCard(models.full!));
    assert.equal(blocks[0], "WhatsApp conversation");
    for (const expected of ["Ana Lima", "+5511987654321 · @ana.l", "+1 555-078-3881", "2026-11-30 14:05 UTC", "Hi, where is my order #123?"]) {
      assert.ok(runs.includes(expected), `${expected} shown; runs: ${runs.join(" | ")}`);
    }
  });

  it("carries a plain-text summary line for search", () => {
    assert.equal(rootCardSummary(models.full!), "WhatsApp · Ana Lima · +5511987654321 · @ana.l: Hi, where is my order #123?");
    const { blocks } = texts(buildRootCard(models.full!));
    assert.equal(blocks.at(-1), "WhatsApp · Ana Lima · +5511987654321 · @ana.l: Hi, where is my order #123?");
  });

  it("never lets customer text become Markdown in a TextBlock, and neutralises the name", () => {
    const { blocks, runs } = texts(buildRootCard(models.hostile!));
    const summary = blocks.find((b) => b.startsWith("WhatsApp · "));
    assert.ok(summary);
    assert.ok(!/(^|[^\\])\[[^\]]*\]\(/.test(summary), `no link syntax survives: ${summary}`);
    assert.ok(!/(^|[^\\])\*\*/.test(summary), "no bold syntax survives");
    assert.ok(!summary.includes("\u202e"));
    assert.ok(summary.includes("\\[U+202E\\]CEO"), "the RLO shown as a marker (Markdown-escaped)");
    assert.ok(runs.includes("[U+202E]CEO [Verify](http://evil.example) *urgent*"), "TextRuns (no Markdown) show the name literally, the RLO as a marker");
    for (const block of blocks) assert.ok(!block.includes("<at>"), "no raw mention markup");
  });

  describe("live state", () => {
    it("shows the open window with its closing time and the last outbound ticks, time and excerpt", () => {
      const { runs } = texts(buildRootCard(models.liveOpen!));
      for (const expected of ["open until 2026-12-01 14:05 UTC", "✓✓ delivered · 2026-11-30 14:07 UTC", "“Your order ships today”"]) {
        assert.ok(runs.includes(expected), `${expected} shown; runs: ${runs.join(" | ")}`);
      }
      assert.ok(!runs.some((r) => /opted out/i.test(r)), "no opt-out line when not opted out");
    });

    it("shows a closed window, the opt-out and the excerpt literally (TextRuns render no Markdown)", () => {
      const card = buildRootCard(models.liveClosedOptedOut!);
      const { blocks, runs } = texts(card);
      assert.ok(runs.includes("closed — only templates can be sent"));
      assert.ok(runs.includes("✓ sent · 2026-11-30 14:05 UTC"));
      assert.ok(runs.includes("⛔ Opted out of business-initiated messages"));
      assert.ok(runs.includes("“[Pay here](http://evil.example) **now** {{DATE(2026-01-01T00:00:00Z)}} line two”"), runs.join(" | "));
      assert.ok(!blocks.some((b) => b.includes("evil.example")), "the excerpt never sits in a Markdown TextBlock");
      const windowRun = JSON.stringify(card).includes('"text":"closed — only templates can be sent","color":"Warning"');
      assert.ok(windowRun, "the closed window is shown in the warning colour");
    });

    it("omits the last-sent lines when nothing was sent, and shows nothing live without `live`", () => {
      assert.ok(!texts(buildRootCard(models.liveNothingSent!)).runs.some((r) => r.startsWith("Last sent")));
      const { blocks, runs } = texts(buildRootCard(models.full!));
      assert.ok(!blocks.includes("Status"));
      assert.ok(!runs.includes("Window: "));
    });

    it("keeps the search summary the last TextBlock", () => {
      assert.equal(texts(buildRootCard(models.liveOpen!)).blocks.at(-1), "WhatsApp · Ana Lima · +5511987654321: hi");
    });
  });

  it("breaks a long link in the first message into lines (TextRuns cannot wrap), and stays a valid card", () => {
    const link = `https://example.com/${"a1b2c3d4e5".repeat(28)}`;
    const card = buildRootCard({ ...models.full!, firstMessage: `See ${link}` });
    assert.ok(validate(card), JSON.stringify(validate.errors, null, 1));
    const first = texts(card).runs.find((r) => r.startsWith("See "))!;
    assert.ok(first.split("\n").length > 5, first);
    assert.ok(
      first.split("\n").every((line) => line.length <= 44),
      "every line fits a narrow card",
    );
    const joined = first.replace(/\n/g, "");
    assert.ok(`See ${link}`.startsWith(joined.replace(/…$/, "")), `only line breaks added (and the excerpt's …): ${joined}`);
    assert.ok(JSON.stringify(card).includes('"wrap":true'), "TextBlocks wrap");
    for (const block of card.body as Array<Record<string, unknown>>) if (block.type === "TextBlock") assert.equal(block.wrap, true, JSON.stringify(block));
  });

  it("escapes the Markdown that TextBlocks render", () => {
    assert.equal(escapeCardMarkdown("[x](http://evil) *b* _i_ ~s~ `c`"), "\\[x\\]\\(http://evil\\) \\*b\\* \\_i\\_ \\~s\\~ \\`c\\`");
    assert.equal(escapeCardMarkdown("# h\n- item\n+ item\n12. n"), "\\# h\n\\- item\n\\+ item\n12\\. n");
    assert.equal(escapeCardMarkdown("{{DATE(2026-01-01T00:00:00Z)}}"), "\\{\\{DATE\\(2026-01-01T00:00:00Z\\)\\}\\}");
  });
});
