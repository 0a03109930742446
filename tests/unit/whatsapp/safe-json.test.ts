import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import path from "node:path";
import { findJsonLimitViolation, parseUntrustedJson, WEBHOOK_JSON_LIMITS, type JsonLimits } from "../../../src/whatsapp/meta/safe-json";
import { seededRandom } from "../../../tools/chaos/seeded-random";
import { loadMetaFixture, META_FIXTURES_DIR, metaFixtureNames } from "./meta-fixtures";

/**
 * The guarded parse drops prototype keys after a plain `JSON.parse` (a reviver costs several times the
 * parse) and skips strings in a loop of their own. The references below are the straightforward forms:
 * a byte-by-byte state machine and a reviver. Both forms must agree on every input.
 */
function referenceLimitViolation(raw: Buffer, limits: JsonLimits): string | undefined {
  const commas = new Int32Array(limits.maxDepth + 2);
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (byte === 0x5c) escaped = true;
      else if (byte === 0x22) inString = false;
      continue;
    }
    if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      depth++;
      if (depth > limits.maxDepth) return `JSON nested deeper than ${limits.maxDepth} levels`;
      commas[depth] = 0;
    } else if (byte === 0x5d || byte === 0x7d) {
      if (depth > 0) depth--;
    } else if (byte === 0x2c && depth > 0 && ++commas[depth]! >= limits.maxItems) return `JSON array or object with more than ${limits.maxItems} items`;
  }
  return undefined;
}

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

function referenceParse(raw: Buffer, limits: JsonLimits): { ok: true; value: unknown } | { ok: false; reason: string } {
  const violation = referenceLimitViolation(raw, limits);
  if (violation) return { ok: false, reason: violation };
  try {
    return { ok: true, value: JSON.parse(raw.toString("utf8"), (key, v: unknown) => (FORBIDDEN.has(key) ? undefined : v)) as unknown };
  } catch (err) {
    return { ok: false, reason: err instanceof SyntaxError ? "malformed JSON" : "unreadable JSON" };
  }
}

/** Every object in `value` has its ordinary prototype and no prototype key of its own. */
function assertNoPrototypeKeys(value: unknown, where = "(root)"): void {
  if (typeof value !== "object" || value === null) return;
  assert.equal(Object.getPrototypeOf(value), Array.isArray(value) ? Array.prototype : Object.prototype, where);
  for (const key of Object.keys(value)) {
    assert.ok(!FORBIDDEN.has(key), `${where}.${key}`);
    assertNoPrototypeKeys((value as Record<string, unknown>)[key], `${where}.${key}`);
  }
}

const SMALL_LIMITS: JsonLimits = { maxDepth: 4, maxItems: 3 };

function assertSame(raw: Buffer, label: string): void {
  for (const limits of [WEBHOOK_JSON_LIMITS, SMALL_LIMITS]) {
    assert.equal(findJsonLimitViolation(raw, limits), referenceLimitViolation(raw, limits), label);
    const ours = parseUntrustedJson(raw, limits);
    assert.deepStrictEqual(ours, referenceParse(raw, limits), label);
    if (ours.ok) assertNoPrototypeKeys(ours.value);
  }
}

function fixtureBodies(): Array<{ name: string; raw: Buffer }> {
  const groups = readdirSync(path.join(META_FIXTURES_DIR, "groups"))
    .filter((f) => f.endsWith(".json"))
    .map((f) => `groups/${f.slice(0, -5)}`);
  return [...metaFixtureNames(), ...groups].map((name) => ({ name, raw: loadMetaFixture(name).raw }));
}

/** Spellings of the prototype keys, plain and with JSON escapes that decode to the same key. */
const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype", "\\u005f\\u005fproto\\u005f\\u005f", "constr\\u0075ctor", "prot\\u006ftype"];

describe("safe-json: the guarded parse agrees with a byte-by-byte scan and a reviver", () => {
  it("on every fixture, as sent and with prototype keys put into every object (plain and escaped)", () => {
    for (const { name, raw } of fixtureBodies()) {
      assertSame(raw, name);
      const text = raw.toString("utf8");
      PROTOTYPE_KEYS.forEach((key, k) => {
        const injected = text.replace(/\{/g, `{"${key}":{"polluted":true,"${key}":[{"${key}":1}]},`);
        assertSame(Buffer.from(injected, "utf8"), `${name} with ${key}`);
        assert.ok(injected.length > text.length, `${name}: keys were put in (${k})`);
      });
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("on every prefix of a fixture (unterminated strings, escapes cut in half, unclosed arrays)", () => {
    const raw = Buffer.from(
      loadMetaFixture("20_batch_multi_entry_mixed")
        .raw.toString("utf8")
        .replace(/"body":"/, '"body":"a \\"quoted\\" [not, {a} nest] \\\\'),
      "utf8",
    );
    for (let end = 0; end <= raw.length; end++) assertSame(raw.subarray(0, end), `prefix ${end}`);
  });

  it("at the depth and item limits", () => {
    for (const depth of [3, 4, 5, 63, 64, 65]) assertSame(Buffer.from("[".repeat(depth) + "]".repeat(depth)), `depth ${depth}`);
    for (const items of [2, 3, 4, 4999, 5000, 5001]) {
      assertSame(Buffer.from(`[${Array.from({ length: items }, (_, i) => i).join(",")}]`), `items ${items}`);
      assertSame(Buffer.from(`{${Array.from({ length: items }, (_, i) => `"k${i}":${i}`).join(",")}}`), `keys ${items}`);
    }
    // Brackets and commas inside strings count for nothing, escaped quotes do not end a string.
    assertSame(Buffer.from(`{"a":"[[[[[,,,,,\\"[[[[[,,,,"}`), "punctuation in a string");
  });

  it("on random documents made of JSON's punctuation, escapes and prototype keys (seeded)", () => {
    const random = seededRandom(16);
    const pieces = [
      "{",
      "}",
      "[",
      "]",
      ",",
      ":",
      '"',
      "\\",
      '\\"',
      "\\\\",
      "1",
      " ",
      "a",
      '"__proto__"',
      '"constructor"',
      '"prototype"',
      '"k"',
      "{}",
      "[]",
      "é",
    ];
    for (let n = 0; n < 4000; n++) {
      const length = 1 + Math.floor(random() * 40);
      const text = Array.from({ length }, () => pieces[Math.floor(random() * pieces.length)]).join("");
      assertSame(Buffer.from(text, "utf8"), JSON.stringify(text));
    }
  });

  it("on random well-formed documents whose keys include the prototype keys (seeded)", () => {
    const random = seededRandom(17);
    const keys = ["a", "b", "text", ...PROTOTYPE_KEYS];
    const valueText = (depth: number): string => {
      const r = random();
      if (depth > 5 || r < 0.3) return ["1", '"s"', "null", "true", '"\\u00e9"', '"[{,"'][Math.floor(random() * 6)]!;
      const size = Math.floor(random() * 4);
      if (r < 0.6) return `[${Array.from({ length: size }, () => valueText(depth + 1)).join(",")}]`;
      return `{${Array.from({ length: size }, () => `"${keys[Math.floor(random() * keys.length)]}":${valueText(depth + 1)}`).join(",")}}`;
    };
    let withPrototypeKey = 0;
    for (let n = 0; n < 3000; n++) {
      const text = valueText(0);
      if (/proto|constr|prot\\u/.test(text)) withPrototypeKey++;
      assertSame(Buffer.from(text, "utf8"), text);
    }
    assert.ok(withPrototypeKey > 300, `${withPrototypeKey} documents held a prototype key`);
  });
});
