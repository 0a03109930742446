import assert from "node:assert/strict";
import Ajv, { type ValidateFunction } from "ajv";
import draft06MetaSchema from "ajv/dist/refs/json-schema-draft-06.json";
import type { RootCardModel } from "../../../src/core/ports/teams-gateway";
import { buildRootCard, escapeCardMarkdown, rootCardSummary } from "../../../src/teams/cards/root-card";
import { loadAdaptiveCardSchema } from "./teams-fixtures";

const STARTED = Date.UTC(2026, 10, 30, 14, 5);

function compileCardSchema(): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(draft06MetaSchema);
  return ajv.compile(loadAdaptiveCardSchema());
}

/** Every TextBlock text and every TextRun text in the card. */
function texts(card: unknown): { blocks: string[]; runs: string[] } {
  const blocks: string[] = [];
  const runs: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) { node.forEach(walk); return; }
    if (typeof node !== "object" || node === null) return;
    const n = node as Record<string, unknown>;
    if (n.type === "TextBlock" && typeof n.text === "string") blocks.push(n.text);
    if (n.type === "TextRun" && typeof n.text === "string") runs.push(n.text);
    Object.values(n).forEach(walk);
  };
  walk(card);
  return { blocks, runs };
}

describe("root card", () => {
  let validate: ValidateFunction;
  before(() => { validate = compileCardSchema(); });

  const models: Record<string, RootCardModel> = {
    full: { customerName: "Ana Lima", phone: "+5511987654321", username: "ana.l", businessDisplay: "+1 555-078-3881", firstMessage: "Hi, where is my order #123?", startedAt: STARTED },
    minimal: { firstMessage: "", startedAt: STARTED },
    usernameOnly: { customerName: "Bo", username: "@bo_b", firstMessage: "hello", startedAt: STARTED },
    hostile: { customerName: "\u202eCEO [Verify](http://evil.example) *urgent*", phone: "+15550100", firstMessage: "[Verify account](https://evil.example) **now** _pls_ <at>General</at>\n# title\n1. one", startedAt: STARTED },
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
    assert.ok(runs.includes("CEO [Verify](http://evil.example) *urgent*"), "TextRuns (no Markdown) show the name literally, without the RLO");
    for (const block of blocks) assert.ok(!block.includes("<at>"), "no raw mention markup");
  });

  it("escapes the Markdown that TextBlocks render", () => {
    assert.equal(escapeCardMarkdown("[x](http://evil) *b* _i_ ~s~ `c`"), "\\[x\\]\\(http://evil\\) \\*b\\* \\_i\\_ \\~s\\~ \\`c\\`");
    assert.equal(escapeCardMarkdown("# h\n- item\n+ item\n12. n"), "\\# h\n\\- item\n\\+ item\n12\\. n");
  });
});
