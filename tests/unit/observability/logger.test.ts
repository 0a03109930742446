import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { createLogger, scrubFields } from "../../../src/observability/logger";

describe("logger redaction", () => {
  it("never writes secrets, bearer tokens or full phone numbers", () => {
    const out = scrubFields({
      accessToken: "EAAG-secret", authorization: "Bearer abc.def", appSecret: "shh",
      note: "sent to +55 11 98765-4321 with Bearer eyJhbGciOi.x.y", nested: { to: "5511987654321" },
      business: "106540352242922",
    });
    assert.equal(out.accessToken, "[redacted]");
    assert.equal(out.authorization, "[redacted]");
    assert.equal(out.appSecret, "[redacted]");
    assert.doesNotMatch(String(out.note), /98765|eyJhbGciOi/);
    assert.match(String(out.note), /4321/);
    assert.deepEqual(out.nested, { to: "*********4321" });
    assert.equal(out.business, "106540352242922", "business number ids are not personal data");
  });

  it("writes one JSON line per event at or above the level", () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const logger = createLogger({ level: "info", destination: sink });
    logger.debug("hidden.event");
    logger.info("shown.event", { count: 2, password: "x" });
    assert.equal(lines.length, 1);
    const line = JSON.parse(lines[0]!);
    assert.equal(line.event, "shown.event");
    assert.equal(line.count, 2);
    assert.equal(line.password, "[redacted]");
  });
});
