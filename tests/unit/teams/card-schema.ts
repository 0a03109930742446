import Ajv, { type ValidateFunction } from "ajv";
import draft06MetaSchema from "ajv/dist/refs/json-schema-draft-06.json";
import { loadAdaptiveCardSchema } from "./teams-fixtures";

let compiled: ValidateFunction | undefined;

/**
 * The Adaptive Card 1.5 schema (tests/fixtures/adaptive-card), compiled with ajv once per run. Formats
 * (`uri`, `uri-reference`) are not checked: ajv has no built-in validator for them, it only warned.
 */
export function compileCardSchema(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addMetaSchema(draft06MetaSchema);
    compiled = ajv.compile(loadAdaptiveCardSchema());
  }
  return compiled;
}

/** Every element of `type` anywhere in the card (body, containers, actions). */
export function elementsOf(card: unknown, type: string): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (typeof node !== "object" || node === null) return;
    const n = node as Record<string, unknown>;
    if (n.type === type) found.push(n);
    Object.values(n).forEach(walk);
  };
  walk(card);
  return found;
}

/** Every TextBlock text and every TextRun text in the card. */
export function texts(card: unknown): { blocks: string[]; runs: string[] } {
  return {
    blocks: elementsOf(card, "TextBlock")
      .map((b) => b.text)
      .filter((t): t is string => typeof t === "string"),
    runs: elementsOf(card, "TextRun")
      .map((r) => r.text)
      .filter((t): t is string => typeof t === "string"),
  };
}

/** True when `text` (a TextBlock's) contains Markdown link, emphasis or date-function syntax not escaped. */
export function hasLiveMarkdown(text: string): boolean {
  return /(^|[^\\])\[[^\]]*\]\(/.test(text) || /(^|[^\\])\*\*/.test(text) || /(^|[^\\])\{\{/.test(text);
}
