import assert from "node:assert/strict";
import { paragraph } from "../../../src/core/formatted-text";
import { CHUNK, LONG_TOKEN, wrapLongTokens } from "../../../src/teams/long-tokens";
import { renderFormattedText } from "../../../src/teams/teams-html";

const LINK = `https://example.com/track?order=${"a1b2c3d4e5".repeat(27)}&lang=en`;
const SHA = "3f9a2c1b04de5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f";

describe("long tokens made to wrap (threads and cards)", () => {
  it("leaves ordinary text alone, whitespace included", () => {
    const text = "Hello,  where is\tmy order?\nhttps://example.com/a/b ok";
    assert.equal(wrapLongTokens(text), text);
    const edge = "x".repeat(LONG_TOKEN);
    assert.equal(wrapLongTokens(edge), edge, `a token of ${LONG_TOKEN} characters is not long`);
  });

  it("shows a SHA-256 (or any run of 32+ hex digits) in groups of 8, which wrap like words", () => {
    assert.equal(wrapLongTokens(SHA), "3f9a2c1b 04de5e6f 7a8b9c0d 1e2f3a4b 5c6d7e8f 9a0b1c2d 3e4f5a6b 7c8d9e0f");
    assert.equal(wrapLongTokens("ref 3f9a2c1b04de"), "ref 3f9a2c1b04de", "short hex (a post reference) unchanged");
  });

  it(`breaks a long link into lines of at most ${CHUNK} characters, preferably after URL punctuation, losing nothing`, () => {
    const shown = wrapLongTokens(`see ${LINK} now`);
    assert.ok(shown.startsWith("see https://example.com/track?order=\n"), shown.slice(0, 60));
    assert.ok(shown.endsWith(" now"));
    const lines = shown.slice(4, -4).split("\n");
    assert.ok(lines.length >= LINK.length / CHUNK, `${lines.length} lines`);
    for (const line of lines) assert.ok(line.length <= CHUNK, `"${line}" is ${line.length} long`);
    assert.equal(lines.join(""), LINK, "only line breaks were added");
  });

  it("never splits a character made of several code points", () => {
    const token = "👩🏽‍💻".repeat(60);
    const lines = wrapLongTokens(token).split("\n");
    assert.ok(lines.length > 1);
    for (const line of lines) assert.equal(line.replace(/👩🏽‍💻/gu, ""), "", `whole emoji only: ${JSON.stringify(line)}`);
  });

  it("in a thread post: the link keeps its exact address, its text gets <br>s, and the hash wraps", () => {
    const html = renderFormattedText([{ kind: "paragraph", inlines: [{ kind: "link", href: LINK, text: LINK }] }, ...paragraph(`SHA-256: ${SHA}`)]);
    const anchor = /<a href="([^"]+)">(.*?)<\/a>/.exec(html)!;
    assert.equal(anchor[1]!.replace(/&amp;/g, "&"), LINK, "href untouched");
    assert.ok(anchor[2]!.includes("<br>"), "the shown address breaks into lines");
    assert.equal(anchor[2]!.replace(/<br>/g, "").replace(/&amp;/g, "&"), LINK);
    assert.ok(html.includes("SHA-256: 3f9a2c1b 04de5e6f 7a8b9c0d"), html);
  });
});
