import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { computeSignatureHeader, verifySignature } from "../../../src/whatsapp/meta/signature";
import { signWebhook } from "../../../tools/sign-webhook";
import { loadMetaFixture } from "./meta-fixtures";

const SECRET = "app-secret-for-tests";

describe("verifySignature (X-Hub-Signature-256, docs/security.md adversarial cases 1–6)", () => {
  const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}', "utf8");
  const good = signWebhook(body, SECRET);

  it("accepts the HMAC-SHA256 of the exact bytes, in lower or upper case hex", () => {
    assert.equal(verifySignature(body, good, SECRET), true);
    assert.equal(verifySignature(body, `sha256=${good.slice(7).toUpperCase()}`, SECRET), true);
  });

  it("case 1: refuses a missing header", () => {
    assert.equal(verifySignature(body, undefined, SECRET), false);
    assert.equal(verifySignature(body, "", SECRET), false);
  });

  it("case 2: refuses a signature made with another secret", () => {
    assert.equal(verifySignature(body, signWebhook(body, "another-secret"), SECRET), false);
  });

  it("case 3: refuses sha1=, a missing prefix and surrounding junk (strict format)", () => {
    const sha1 = `sha1=${createHmac("sha1", SECRET).update(body).digest("hex")}`;
    assert.equal(verifySignature(body, sha1, SECRET), false);
    assert.equal(verifySignature(body, good.slice("sha256=".length), SECRET), false);
    assert.equal(verifySignature(body, `SHA256=${good.slice(7)}`, SECRET), false);
    assert.equal(verifySignature(body, ` ${good}`, SECRET), false);
    assert.equal(verifySignature(body, `${good},sha256=${good.slice(7)}`, SECRET), false);
  });

  it("case 4: refuses wrong lengths and non-hex digits without throwing", () => {
    for (const header of ["sha256=abcdef0123", `${good}00`, good.slice(0, -1), "sha256=", `sha256=${"z".repeat(64)}`]) {
      assert.doesNotThrow(() => verifySignature(body, header, SECRET));
      assert.equal(verifySignature(body, header, SECRET), false, header);
    }
  });

  it("case 5: checks the raw bytes of a body with emoji, accents and \\u00e4 escapes", () => {
    const { raw } = loadMetaFixture("01_text_simple");
    assert.ok(raw.toString("utf8").includes("📦"), "fixture holds raw UTF-8 emoji");
    assert.equal(verifySignature(raw, signWebhook(raw, SECRET), SECRET), true);

    const escaped = Buffer.from('{"text":{"body":"\\u00e4\\u00f6\\u00e5 \\ud83d\\udce6"}}', "utf8");
    assert.equal(verifySignature(escaped, signWebhook(escaped, SECRET), SECRET), true);
    // Re-serialising the parsed JSON yields other bytes, so its signature would not match: only raw bytes work.
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(escaped.toString("utf8"))), "utf8");
    assert.notDeepEqual(reserialised, escaped);
    assert.equal(verifySignature(reserialised, signWebhook(escaped, SECRET), SECRET), false);
  });

  it("case 6: refuses a body with one byte changed", () => {
    const tampered = Buffer.from(body);
    tampered[10] = tampered[10]! ^ 0x01;
    assert.equal(verifySignature(tampered, good, SECRET), false);
  });

  it("refuses everything when the app secret is empty", () => {
    assert.equal(verifySignature(body, signWebhook(body, ""), ""), false);
  });

  it("carries nothing from one check to the next (good, bad and malformed headers interleaved)", () => {
    const other = Buffer.from('{"object":"whatsapp_business_account","entry":[{"id":"2"}]}', "utf8");
    const otherGood = signWebhook(other, SECRET);
    const sequence: Array<[Buffer, string | undefined, boolean]> = [
      [body, good, true],
      [other, good, false],
      [other, otherGood, true],
      [body, otherGood, false],
      [body, "sha256=", false],
      [body, good, true],
      [body, `sha256=${"0".repeat(64)}`, false],
      [other, otherGood, true],
    ];
    for (let round = 0; round < 3; round++) {
      sequence.forEach(([raw, header, expected], i) => assert.equal(verifySignature(raw, header, SECRET), expected, `round ${round}, step ${i}`));
    }
  });

  it("computeSignatureHeader matches the tools helper", () => {
    assert.equal(computeSignatureHeader(body, SECRET), good);
  });
});
