import assert from "node:assert/strict";
import { splitWhatsAppText } from "../../../src/whatsapp/meta/text-split";

const len = (s: string) => Array.from(s).length;

describe("splitWhatsAppText (texts over 4,096 characters)", () => {
  it("keeps a text that fits as one part", () => {
    assert.deepEqual(splitWhatsAppText("short", 10), ["short"]);
    assert.deepEqual(splitWhatsAppText("", 10), []);
  });

  it("splits at the last paragraph boundary that fits, in order", () => {
    const text = `${"a".repeat(60)}\n\n${"b".repeat(30)}\n\n${"c".repeat(30)}`;
    assert.deepEqual(splitWhatsAppText(text, 100), [`${"a".repeat(60)}\n\n${"b".repeat(30)}`, "c".repeat(30)]);
  });

  it("then at line breaks, sentence ends and spaces, and only last in a word", () => {
    assert.deepEqual(splitWhatsAppText(`${"a".repeat(70)}\n${"b".repeat(40)}`, 100), ["a".repeat(70), "b".repeat(40)]);
    const sentences = "One sentence here. ".repeat(10).trim();
    for (const part of splitWhatsAppText(sentences, 60)) {
      assert.ok(len(part) <= 60);
      assert.match(part, /\.$/);
    }
    assert.deepEqual(splitWhatsAppText("x".repeat(25), 10), ["x".repeat(10), "x".repeat(10), "x".repeat(5)]);
  });

  it("counts code points, so emoji are never cut in half", () => {
    const parts = splitWhatsAppText("😀".repeat(15), 10);
    assert.deepEqual(parts.map(len), [10, 5]);
    assert.equal(parts.join(""), "😀".repeat(15));
  });

  it("never loses or reorders words", () => {
    const words = Array.from({ length: 2000 }, (_, i) => `w${i}`);
    const parts = splitWhatsAppText(words.join(" "), 4096);
    assert.ok(parts.length > 1 && parts.every((p) => len(p) <= 4096));
    assert.deepEqual(parts.join(" ").split(" "), words);
  });
});
