import assert from "node:assert/strict";
import { WhatsAppSendError } from "../../../src/core/errors";
import { classifyGraphError, describeMetaErrorCode, parseRetryAfter } from "../../../src/whatsapp/meta/meta-errors";

const envelope = (code: number, message = `(#${code}) Something`, details?: string) =>
  JSON.stringify({
    error: { message, type: "OAuthException", code, ...(details ? { error_data: { messaging_product: "whatsapp", details } } : {}), fbtrace_id: "Abc123" },
  });

describe("classifyGraphError (docs/protocols.md A16)", () => {
  it("131047: not retryable, tells the person the window closed and a template is needed", () => {
    const err = classifyGraphError(400, envelope(131047, "(#131047) Re-engagement message"));
    assert.ok(err instanceof WhatsAppSendError);
    assert.equal(err.metaCode, 131047);
    assert.equal(err.code, "whatsapp.send_failed.131047");
    assert.equal(err.retryable, false);
    assert.match(err.userMessage, /more than 24 hours since the customer last wrote; only an approved template can be sent/);
    assert.match(err.message, /131047.*HTTP 400.*fbtrace_id Abc123/);
  });

  it("classifies throttling by code, whatever the HTTP status (400 or 429)", () => {
    for (const status of [400, 429]) {
      for (const code of [4, 80007, 130429, 131056]) {
        const err = classifyGraphError(status, envelope(code));
        assert.equal(err.retryable, true, `${code} @ ${status}`);
        assert.ok((err.retryAfterMs ?? 0) > 0);
      }
    }
    assert.match(classifyGraphError(400, envelope(131056)).userMessage, /about one every 6 seconds/);
  });

  it("a Retry-After header overrides the default backoff hint", () => {
    assert.equal(classifyGraphError(429, envelope(130429), 30_000).retryAfterMs, 30_000);
    assert.equal(parseRetryAfter("12"), 12_000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6_000);
    assert.equal(parseRetryAfter("soon"), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });

  it("token errors 190 and 0: not retryable, an admin must renew the token", () => {
    for (const code of [190, 0]) {
      const err = classifyGraphError(401, envelope(code, "Error validating access token: Session has expired"));
      assert.equal(err.retryable, false);
      assert.match(err.userMessage, /An administrator must renew the WhatsApp access token/);
    }
  });

  it("plain words for the notable permanent codes", () => {
    const cases: Array<[number, RegExp]> = [
      [131026, /could not deliver/],
      [131050, /stopped marketing messages/],
      [100, /invalid \(Param to is not valid\)/],
      [131008, /invalid/],
      [131009, /invalid/],
      [131051, /does not support this type/],
      [131053, /could not process the media/],
      [368, /blocked this business number/],
      [131031, /locked/],
      [131062, /username/],
      [131048, /blocked or reported/],
      [132001, /template does not exist/],
      [250, /permission/],
      [133005, /registration/],
    ];
    for (const [code, words] of cases) {
      const err = classifyGraphError(400, envelope(code, `(#${code}) x`, "Param to is not valid"));
      assert.equal(err.retryable, false, String(code));
      assert.match(err.userMessage, words, String(code));
    }
  });

  it("Meta-side failures are retryable", () => {
    for (const code of [1, 2, 131000, 131016, 131057]) assert.equal(classifyGraphError(500, envelope(code)).retryable, true, String(code));
  });

  it("unknown codes: generic text with the code and Meta's message; retryable only for 5xx/429", () => {
    const err = classifyGraphError(400, envelope(987654, "(#987654) Brand new failure", "more words"));
    assert.equal(err.retryable, false);
    assert.equal(err.metaCode, 987654);
    assert.match(err.userMessage, /error 987654: \(#987654\) Brand new failure — more words/);
    assert.equal(classifyGraphError(503, envelope(987654)).retryable, true);
  });

  it("non-JSON bodies: retryable for 5xx, not for a 404 page", () => {
    const bad = classifyGraphError(502, "<html><body>Bad Gateway</body></html>");
    assert.equal(bad.retryable, true);
    assert.equal(bad.metaCode, undefined);
    assert.match(bad.userMessage, /unexpected error \(HTTP 502\)/);
    assert.equal(classifyGraphError(404, "<html>Not Found</html>").retryable, false);
    assert.equal(classifyGraphError(500, "").retryable, true);
    assert.equal(classifyGraphError(500, '{"no":"error"}').retryable, true);
  });

  it("maps Meta's codes to the bridge's failure kinds (the core decides on kinds only), keeping the code", () => {
    const cases: Array<[number, string]> = [
      [130429, "throughput"],
      [131056, "pair-rate"],
      [131057, "capacity-upgrade"],
      [4, "api-rate"],
      [80007, "api-rate"],
      [131047, "window-closed"],
      [131050, "opted-out"],
      [131026, "recipient"],
      [131062, "recipient"],
      [100, "content"],
      [132001, "content"],
      [131053, "content"],
      [190, "account"],
      [250, "account"],
      [133005, "account"],
      [131000, "transient"],
      [2, "transient"],
      [987654, "unknown"],
    ];
    for (const [code, kind] of cases) {
      const err = classifyGraphError(400, envelope(code));
      assert.equal(err.failure, kind, String(code));
      assert.equal(err.metaCode, code);
      assert.equal(err.notApplied, true, "Meta answered with an error: it did not take the message");
      assert.equal(describeMetaErrorCode(code).kind, kind, String(code));
    }
    assert.equal(classifyGraphError(502, "<html>Bad Gateway</html>").failure, "transient");
    assert.equal(classifyGraphError(502, "<html>Bad Gateway</html>").notApplied, false, "without Meta's answer it may have been taken");
    assert.equal(classifyGraphError(404, "<html>Not Found</html>").failure, "unknown");
  });

  it("describeMetaErrorCode gives the same words for status webhook errors", () => {
    assert.match(describeMetaErrorCode(131047).userMessage, /only an approved template can be sent/);
    assert.match(describeMetaErrorCode(42, "Odd", "detail").userMessage, /error 42: Odd — detail/);
  });
});
