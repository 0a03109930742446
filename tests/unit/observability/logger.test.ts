import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import { boundedDestination } from "../../../src/observability/bounded-destination";
import { createLogger, fatalLine, MAX_BUFFERED_LOG_BYTES, scrubFields, scrubText } from "../../../src/observability/logger";

describe("logger redaction", () => {
  it("never writes secrets, bearer tokens or full phone numbers", () => {
    const out = scrubFields({
      accessToken: "EAAG-secret",
      authorization: "Bearer abc.def",
      appSecret: "shh",
      note: "sent to +55 11 98765-4321 with Bearer eyJhbGciOi.x.y",
      nested: { to: "5511987654321" },
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
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
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

describe("logger redaction at every depth", () => {
  const JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6InRlc3QifQ.eyJhdWQiOiJib3QiLCJpc3MiOiJodHRwczovL2lzc3VlciJ9.c2lnbmF0dXJlLWJ5dGVzLWhlcmUtMTIzNDU2Nzg5MA";
  const secretsIn = (value: unknown) =>
    JSON.stringify(value).match(/EAAG-deep|hunter2|eyJhbGciOi|5511987654321|98765-4321|c2lnbmF0dXJl|AccountKey=abc|sig=Zm9v/g) ?? [];

  it("redacts secret keys and masks values in nested objects and arrays, deeper than any fixed limit", () => {
    let deep: Record<string, unknown> = { access_token: "EAAG-deep", note: `customer +55 11 98765-4321 sent ${JWT}` };
    for (let i = 0; i < 30; i++) deep = { level: i, child: deep, list: [{ password: "hunter2" }, [`Bearer ${JWT}`]] };
    const out = scrubFields({ deep });
    assert.deepEqual(secretsIn(out), [], JSON.stringify(out).slice(0, 400));
    // The first levels keep their shape; what is too deep to walk is replaced, never written raw.
    assert.equal((out.deep as { level: number }).level, 29);
    assert.match(JSON.stringify(out), /\[too deep\]/);
  });

  it("redacts the keys authorization, token, secret, password, access_token, appsecret, signature (any case), booleans excepted", () => {
    const out = scrubFields({
      Authorization: "x",
      refreshToken: "x",
      clientSecret: "x",
      PASSWORD: "x",
      access_token: "x",
      appsecret: "x",
      "x-hub-signature-256": "sha256=ab",
      sig: "x",
      hadAuthorization: true,
      tokenCount: 0,
    });
    for (const key of ["Authorization", "refreshToken", "clientSecret", "PASSWORD", "access_token", "appsecret", "x-hub-signature-256", "sig", "tokenCount"])
      assert.equal(out[key], "[redacted]", key);
    assert.equal(out.hadAuthorization, true, "a boolean says whether, never what");
  });

  it("finds JWTs, bearer and basic credentials, and key=value secrets inside any string", () => {
    const text = scrubText(
      `GET https://graph.example/v1/x?access_token=EAAGabc&sig=Zm9vYmFy&x=1 Authorization: Basic dXNlcjpwYXNz token ${JWT}; DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc+/==;`,
    );
    assert.doesNotMatch(text, /EAAGabc|Zm9vYmFy|dXNlcjpwYXNz|eyJhbGciOi|c2lnbmF0dXJl|abc\+/);
    assert.match(text, /access_token=\[redacted\]&sig=\[redacted\]&x=1/, "the rest of the URL stays readable");
    assert.match(text, /\[redacted jwt\]/);
    assert.match(text, /AccountName=a;AccountKey=\[redacted\]/);
  });

  it("masks digit runs of 7 digits or more but their last 4, keeps shorter ones and non-personal ids", () => {
    assert.equal(scrubText("call 5511987654321 or +44 20 7946 0958"), "call *********4321 or ************0958");
    assert.equal(scrubText("wa_id 1234567"), "wa_id ***4567");
    assert.equal(scrubText("port 41545, 3 retries, 123456 bytes"), "port 41545, 3 retries, 123456 bytes");
    assert.deepEqual(scrubFields({ business: "106540352242922", phoneNumberId: "106540352242922" }), {
      business: "106540352242922",
      phoneNumberId: "106540352242922",
    });
  });

  it("errors keep name, message (scrubbed), code and cause; circular references do not loop", () => {
    const err = Object.assign(new Error(`upstream said: Bearer ${JWT} for 5511987654321`, { cause: new Error("password=hunter2") }), { code: "ECONNRESET" });
    const circular: Record<string, unknown> = { name: "loop" };
    circular.self = circular;
    const out = scrubFields({ error: err, circular, bytes: Buffer.from("secret bytes") });
    assert.deepEqual(secretsIn(out), []);
    assert.equal((out.error as { code: string }).code, "ECONNRESET");
    assert.match(JSON.stringify(out.error), /upstream said: Bearer \[redacted\] for \*{9}4321/);
    assert.match(JSON.stringify(out.error), /password=\[redacted\]/);
    assert.equal((out.circular as { self: unknown }).self, "[circular]");
    assert.equal(out.bytes, "[12 bytes]");
  });
});

describe("bounded log destination", () => {
  /** A stream whose reader has stopped: it accepts writes into its buffer and never drains until told. */
  class StalledTarget extends EventEmitter {
    writableLength = 0;
    readonly written: string[] = [];
    write(chunk: string): boolean {
      this.written.push(chunk);
      this.writableLength += Buffer.byteLength(chunk);
      return this.writableLength < 16_384;
    }
    drainAll(): void {
      this.writableLength = 0;
      this.emit("drain");
    }
  }

  it("keeps at most its bound waiting, drops the rest, and reports the count once drained", () => {
    const target = new StalledTarget();
    const reports: number[] = [];
    const destination = boundedDestination(target, { maxBufferedBytes: 1_000, onDrained: (n) => reports.push(n) });
    for (let i = 0; i < 100; i++) destination.write(`${"x".repeat(90)}${String(i).padStart(3, "0")}\n`);
    assert.equal(target.written.length, 10, "ten 94-byte lines fit under 1000 bytes");
    assert.ok(target.writableLength <= 1_000);
    assert.equal(destination.dropped, 90);
    assert.deepEqual(reports, [], "nothing reported while the reader is stalled");
    target.drainAll();
    assert.deepEqual(reports, [90]);
    assert.equal(destination.dropped, 0);
    target.drainAll();
    assert.deepEqual(reports, [90], "reported once");
  });

  it("through createLogger: the report is a warn line, written when the target drains", () => {
    const target = new StalledTarget();
    const logger = createLogger({ level: "info", stdout: target });
    for (let i = 0; i < 20_000; i++) logger.info("busy.event", { i });
    assert.ok(target.writableLength <= MAX_BUFFERED_LOG_BYTES);
    const before = target.written.length;
    target.drainAll();
    const report = JSON.parse(target.written[before]!) as { level: number; event: string; count: number };
    assert.equal(report.event, "log.lines_dropped");
    assert.equal(report.level, 40);
    assert.equal(report.count, 20_000 - before);
  });

  it("fatal lines for the entry point are one scrubbed JSON line", () => {
    const line = fatalLine("bridge.start_failed", { error: `connect failed: AccountKey=abc123; token ${"eyJa.eyJb.c"}` });
    assert.ok(!line.includes("\n"));
    const parsed = JSON.parse(line) as { level: number; event: string; error: string };
    assert.equal(parsed.level, 60);
    assert.equal(parsed.event, "bridge.start_failed");
    assert.doesNotMatch(parsed.error, /abc123|eyJa/);
  });
});
