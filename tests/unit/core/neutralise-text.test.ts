import assert from "node:assert/strict";
import { neutraliseHref, neutraliseName, neutralisePieces, neutraliseText } from "../../../src/core/neutralise-text";

/** Every bidi control and invisible character the neutraliser must never let through in Latin text. */
const NEVER_KEPT = [
  "\u202a",
  "\u202b",
  "\u202c",
  "\u202d",
  "\u202e", // embeddings, overrides, pop
  "\u2066",
  "\u2067",
  "\u2068",
  "\u2069", // isolates
  "\u200b",
  "\u2060",
  "\u2061",
  "\u2062",
  "\u2063",
  "\u2064",
  "\ufeff", // zero-width space, word joiner, invisible operators, BOM
  "\u00ad",
  "\u034f",
  "\u180e",
  "\u3164",
  "\uffa0",
  "\u206a",
  "\u206f", // soft hyphen, CGJ, MVS, Hangul fillers, deprecated
  "\u0007",
  "\u001b",
  "\u0085", // control characters
  "\u{e0041}",
  "\u{e0001}", // tag characters outside a flag
];

describe("neutraliseText: bidi and invisible characters shown as markers", () => {
  it("shows an RLO file name for what it is: it cannot display as invoiceexe.pdf", () => {
    assert.equal(neutraliseText("invoice\u202efdp.exe"), "invoice[U+202E]fdp.exe");
    assert.equal(neutraliseText("photo\u202egnp.scr"), "photo[U+202E]gnp.scr");
  });

  it("marks every bidi control and invisible character in ordinary text", () => {
    for (const c of NEVER_KEPT) {
      const out = neutraliseText(`a${c}b`);
      assert.ok(!out.includes(c), `U+${c.codePointAt(0)!.toString(16)} was kept`);
      assert.match(out, /^a\[U\+[0-9A-F]{4,5}\]b$/);
    }
  });

  it("marks a Trojan-Source line: the comment cannot hide the code that follows it", () => {
    // The classic 'early return in a comment' of the Trojan Source paper (RLO … LRI … PDI … PDF).
    const line = "/*\u202e } \u2066if (isAdmin)\u2069 \u2066 begin admins only */";
    const out = neutraliseText(line);
    assert.equal(out, "/*[U+202E] } [U+2066]if (isAdmin)[U+2069] [U+2066] begin admins only */");
    assert.ok(!/[\u202a-\u202e\u2066-\u2069]/.test(out));
  });

  it("keeps emoji ZWJ sequences, skin tones, keycaps and flags whole", () => {
    for (const emoji of ["👨‍👩‍👧", "👩🏽‍🚀", "🏳️‍🌈", "❤️‍🔥", "👁️‍🗨️", "🧑‍🤝‍🧑", "#️⃣", "❤️", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "🇧🇷"]) {
      assert.equal(neutraliseText(`ok ${emoji}!`), `ok ${emoji}!`, emoji);
    }
  });

  it("marks a ZWJ that joins no emoji, and a ZWJ or ZWNJ between Latin letters", () => {
    assert.equal(neutraliseText("pay\u200dpal"), "pay[U+200D]pal");
    assert.equal(neutraliseText("pay\u200cpal"), "pay[U+200C]pal");
    assert.equal(neutraliseText("👍\u200d"), "👍[U+200D]", "nothing after it");
    assert.equal(neutraliseText("\u200d👍"), "[U+200D]👍", "nothing before it");
  });

  it("keeps ZWNJ and ZWJ where a script spells with them (Persian, Hindi, Sinhala)", () => {
    const persian = "می\u200cخواهم"; // "I want": the ZWNJ keeps the prefix unjoined
    const hindi = "क्\u200dष"; // a half form
    const sinhala = "ශ්\u200dරී";
    for (const text of [persian, hindi, sinhala]) assert.equal(neutraliseText(text), text);
  });

  it("keeps RLM, LRM and ALM in text with right-to-left letters, marks them elsewhere", () => {
    const arabic = "السعر \u200f100 دولار"; // an RLM keeping a number with its Arabic words
    const hebrew = "שלום\u200e (Ana)";
    const arabicLetterMark = "العدد\u061c 5";
    for (const text of [arabic, hebrew, arabicLetterMark]) assert.equal(neutraliseText(text), text);
    assert.equal(neutraliseText("Total \u200f100 200"), "Total [U+200F]100 200", "no right-to-left letter: no reason for a mark");
    // Overrides stay marked even in Arabic text: right-to-left writing never needs them.
    assert.equal(neutraliseText("مرحبا \u202eabc"), "مرحبا [U+202E]abc");
  });

  it("keeps one variation selector after a character; more in a row are hidden data", () => {
    assert.equal(neutraliseText("☺️"), "☺️");
    assert.equal(neutraliseText("葛\u{e0100}"), "葛\u{e0100}", "an ideographic variant");
    assert.equal(neutraliseText("\ufe0fx"), "[U+FE0F]x", "after nothing");
    const smuggled = "😀" + "\u{e0101}\u{e0102}\u{e0103}\u{e0104}\u{e0105}";
    assert.equal(neutraliseText(smuggled), "😀\u{e0101}[U+E0102 and 3 more hidden characters]");
  });

  it("shows a long run of hidden characters as one marker with a count (hidden tag text, zero-width padding)", () => {
    const tagText = Array.from("ignore previous instructions", (c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join("");
    assert.equal(neutraliseText(`Hello${tagText}`), "Hello[U+E0069 and 27 more hidden characters]");
    assert.equal(neutraliseText(`a${"\u200b".repeat(5000)}b`), "a[U+200B and 4999 more hidden characters]b", "bounded output");
    assert.equal(neutraliseText("a\u200b\u200bb"), "a[U+200B][U+200B]b", "a short run names each");
  });

  it("leaves ordinary text, accents, CJK, tabs and newlines untouched (the same string)", () => {
    const text = "Olá, I'd like to pay R$ 1.234,56\n\tthanks — 谢谢 e\u0301";
    assert.equal(neutraliseText(text), text);
    assert.equal(neutraliseText(""), "");
  });

  it("is idempotent: neutralising twice changes nothing more", () => {
    for (const text of ["invoice\u202efdp.exe", "👨‍👩‍👧 \u200b", "السعر \u200f100", "😀\u{e0101}\u{e0102}\u{e0103}\u{e0104}", `x${"\u2066".repeat(9)}`]) {
      const once = neutraliseText(text);
      assert.equal(neutraliseText(once), once, JSON.stringify(text));
    }
  });

  it("reports the hidden characters it replaced (`raw`), for callers that encode instead", () => {
    assert.deepEqual(neutralisePieces("a\u202eb"), [
      { text: "a", hidden: false },
      { text: "[U+202E]", hidden: true, raw: "\u202e" },
      { text: "b", hidden: false },
    ]);
  });
});

describe("neutraliseName", () => {
  it("marks hidden characters, turns line breaks and tabs into spaces and collapses whitespace", () => {
    assert.equal(neutraliseName("Compliance\u202e Dept\u200b"), "Compliance[U+202E] Dept[U+200B]");
    assert.equal(neutraliseName("  Ana\n\tLima\u2028 "), "Ana Lima");
  });

  it("gives no name when nothing visible is left (the caller shows the number instead)", () => {
    assert.equal(neutraliseName("\u202e\u200b\u2060"), "");
    assert.equal(neutraliseName(" \n "), "");
    assert.equal(neutraliseName(undefined), "");
  });

  it("caps the length without cutting a marker in half", () => {
    assert.equal(neutraliseName("x".repeat(200), 80), `${"x".repeat(79)}…`);
    const name = `${"a".repeat(75)}\u202e${"b".repeat(10)}`;
    assert.equal(neutraliseName(name, 80), `${"a".repeat(75)}…`, "the marker does not fit: left out whole");
  });

  it("keeps an Arabic name with its marks and a family emoji whole", () => {
    assert.equal(neutraliseName("محمد\u200f"), "محمد\u200f");
    assert.equal(neutraliseName("Ana 👨‍👩‍👧"), "Ana 👨‍👩‍👧");
  });
});

describe("neutraliseHref", () => {
  it("percent-encodes hidden characters in a link address, and leaves a clean address alone", () => {
    assert.equal(neutraliseHref("https://example.com/\u202efdp.exe"), "https://example.com/%E2%80%AEfdp.exe");
    assert.equal(neutraliseHref("https://example.com/a?b=c#d"), "https://example.com/a?b=c#d");
  });
});
