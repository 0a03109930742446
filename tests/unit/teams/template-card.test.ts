import assert from "node:assert/strict";
import type { ValidateFunction } from "ajv";
import { templateId, type MessageTemplate } from "../../../src/core/templates";
import { buildTemplateCard, type TemplateCardView } from "../../../src/teams/cards/template-card";
import { compileCardSchema, elementsOf, hasLiveMarkdown, texts } from "./card-schema";

const ORDER_UPDATE: MessageTemplate = {
  name: "order_update",
  language: "en_US",
  category: "UTILITY",
  header: { format: "TEXT", text: "Order {{order}}" },
  body: "Hi {{1}}, your order {{2}} is on its way. Track it: https://track.example/{{2}}",
  footer: "Reply STOP to opt out",
  buttons: ["Track"],
};
const NO_PLACEHOLDERS: MessageTemplate = { name: "hello", language: "de", category: "MARKETING", body: "Hallo!", buttons: [] };
const HOSTILE = "[Verify](http://evil.example) **now** {{DATE(2026-01-01T00:00:00Z)}} <at>General</at>";

const models: Record<string, TemplateCardView> = {
  pick: {
    step: "pick",
    reason: "The 24-hour window closed at 14:05 UTC: only a template can reach the customer.",
    templates: [
      { id: templateId(ORDER_UPDATE), label: "order_update (en_US)" },
      { id: templateId(NO_PLACEHOLDERS), label: "hello (de)" },
    ],
  },
  pickNoReason: { step: "pick", templates: [{ id: templateId(NO_PLACEHOLDERS), label: "hello (de)" }] },
  pickEmpty: { step: "pick", templates: [] },
  fill: { step: "fill", template: ORDER_UPDATE, values: { header: { order: "#42" }, body: { "1": "Ana" } } },
  fillPreviewProblem: {
    step: "fill",
    template: ORDER_UPDATE,
    values: { header: {}, body: { "1": HOSTILE } },
    preview: `Hi ${HOSTILE}`,
    problem: "Fill in {{2}} before sending.",
  },
  fillPlain: { step: "fill", template: NO_PLACEHOLDERS, values: { header: {}, body: {} } },
  sent: { step: "sent", template: ORDER_UPDATE, text: `Hi ${HOSTILE}`, by: "\u202eAna Staff" },
};

const actionsOf = (card: Record<string, unknown>) =>
  (card.actions ?? []) as Array<{ type: string; title: string; data: Record<string, unknown>; associatedInputs?: string }>;

describe("template card", () => {
  let validate: ValidateFunction;
  before(() => {
    validate = compileCardSchema();
  });

  for (const [name, model] of Object.entries(models)) {
    it(`is a valid Adaptive Card 1.5 (${name})`, () => {
      const card = buildTemplateCard(model);
      assert.equal(card.version, "1.5");
      assert.ok(validate(card), JSON.stringify(validate.errors, null, 1));
    });
  }

  it("the schema check can fail: an Input.Text with an unknown property is refused", () => {
    const card = buildTemplateCard(models.fill!);
    const broken = { ...card, body: [...(card.body as unknown[]), { type: "Input.Text", id: "x", colour: "red" }] };
    assert.equal(validate(broken), false);
  });

  describe("pick", () => {
    it("shows the reason as a warning, a choice of templates and a Next button", () => {
      const card = buildTemplateCard(models.pick!);
      const warning = elementsOf(card, "TextBlock").find((b) => b.color === "Warning");
      assert.ok(warning && String(warning.text).startsWith("The 24-hour window closed"), "the reason is a warning TextBlock");
      const [choice] = elementsOf(card, "Input.ChoiceSet");
      assert.equal(choice?.id, "template");
      assert.deepEqual(choice?.choices, [
        { title: "order_update (en_US)", value: "order_update|en_US" },
        { title: "hello (de)", value: "hello|de" },
      ]);
      assert.deepEqual(
        actionsOf(card).map((a) => [a.type, a.title, a.data]),
        [["Action.Submit", "Next", { bridgeAction: "template.pick" }]],
      );
    });

    it("has no warning without a reason, and no inputs or buttons when there is no template", () => {
      assert.equal(elementsOf(buildTemplateCard(models.pickNoReason!), "TextBlock").filter((b) => b.color === "Warning").length, 0);
      const empty = buildTemplateCard(models.pickEmpty!);
      assert.equal(elementsOf(empty, "Input.ChoiceSet").length, 0);
      assert.equal(actionsOf(empty).length, 0);
      assert.ok(texts(empty).blocks.some((b) => b.startsWith("No approved templates")));
    });
  });

  describe("fill", () => {
    it("shows name, language, category and the text with its placeholders", () => {
      const { blocks, runs } = texts(buildTemplateCard(models.fill!));
      for (const expected of ["order_update", "en_US", "UTILITY", "Track"]) assert.ok(runs.includes(expected), `${expected}; runs: ${runs.join(" | ")}`);
      const text = blocks.find((b) => b.includes("your order"));
      assert.equal(
        text,
        "Order \\{\\{order\\}\\}\n\nHi \\{\\{1\\}\\}, your order \\{\\{2\\}\\} is on its way. Track it: https://track.example/\\{\\{2\\}\\}\n\nReply STOP to opt out",
      );
    });

    it("has one prefilled input per header and body placeholder", () => {
      const inputs = elementsOf(buildTemplateCard(models.fill!), "Input.Text").map((i) => [i.id, i.label, i.value]);
      assert.deepEqual(inputs, [
        ["h:order", "Header {{order}}", "#42"],
        ["b:1", "{{1}}", "Ana"],
        ["b:2", "{{2}}", undefined],
      ]);
      assert.equal(elementsOf(buildTemplateCard(models.fillPlain!), "Input.Text").length, 0);
    });

    it("offers Preview, Send and Cancel naming the template; Cancel ignores the inputs", () => {
      const actions = actionsOf(buildTemplateCard(models.fill!));
      assert.deepEqual(
        actions.map((a) => [a.type, a.title, a.data]),
        [
          ["Action.Submit", "Preview", { bridgeAction: "template.preview", template: "order_update|en_US" }],
          ["Action.Submit", "Send to customer", { bridgeAction: "template.send", template: "order_update|en_US" }],
          ["Action.Submit", "Cancel", { bridgeAction: "template.cancel", template: "order_update|en_US" }],
        ],
      );
      assert.equal(actions[2]!.associatedInputs, "none");
    });

    it("shows the problem in the warning colour and the preview, both escaped", () => {
      const card = buildTemplateCard(models.fillPreviewProblem!);
      const blocks = elementsOf(card, "TextBlock");
      const problem = blocks.find((b) => b.color === "Warning");
      assert.equal(problem?.text, "Fill in \\{\\{2\\}\\} before sending.");
      const preview = elementsOf(card, "Container")[0]?.items as Array<{ text: string }> | undefined;
      assert.ok(preview?.[0]?.text.startsWith("Hi \\[Verify\\]\\(http://evil.example\\) \\*\\*now\\*\\*"), preview?.[0]?.text);
      for (const b of texts(card).blocks) assert.ok(!hasLiveMarkdown(b) && !b.includes("<at>"), `escaped: ${b}`);
      assert.equal(elementsOf(card, "Input.Text").find((i) => i.id === "b:1")?.value, HOSTILE, "input values are plain text, shown as typed");
    });

    it("has no preview section until there is one", () => {
      assert.equal(elementsOf(buildTemplateCard(models.fill!), "Container").length, 0);
    });
  });

  describe("sent", () => {
    it("confirms who sent what, escaped, with no inputs and no buttons", () => {
      const card = buildTemplateCard(models.sent!);
      const { blocks } = texts(card);
      const line = blocks.find((b) => b.startsWith("✅ Sent by "));
      assert.equal(
        line,
        "✅ Sent by \\[U+202E\\]Ana Staff: Hi \\[Verify\\]\\(http://evil.example\\) \\*\\*now\\*\\* \\{\\{DATE\\(2026-01-01T00:00:00Z\\)\\}\\} \\<at\\>General\\</at\\>",
      );
      assert.equal(card.actions, undefined);
      assert.equal(elementsOf(card, "Input.Text").length + elementsOf(card, "Input.ChoiceSet").length, 0);
    });
  });
});
