import assert from "node:assert/strict";
import { PermanentError, TeamsRefusal, TransientError } from "../../../src/core/errors";
import { allowedServiceUrlHost } from "../../../src/teams/service-url";
import { mapConnectorError, parseRetryAfter } from "../../../src/teams/teams-errors";

/** The shape of the errors botbuilder's connector client throws (a RestError from @azure/core-rest-pipeline). */
function restError(status: number, code?: string, headers: Record<string, string> = {}): Error {
  const err = new Error(`status ${status}`) as Error & { statusCode: number; code?: string; response: unknown };
  err.name = "RestError";
  err.statusCode = status;
  if (code) err.code = code;
  err.response = { status, headers: { get: (name: string) => headers[name.toLowerCase()] } };
  return err;
}

describe("Teams error mapping", () => {
  it("429 is transient and honours Retry-After", () => {
    const err = mapConnectorError(restError(429, "Throttled", { "retry-after": "7" }), "postInThread");
    assert.ok(err instanceof TransientError);
    assert.equal(err.code, "teams.throttled");
    assert.equal(err.retryAfterMs, 7000);
  });

  for (const [status, code] of [
    [412, "teams.precondition_failed"],
    [500, "teams.server_error"],
    [502, "teams.unavailable"],
    [503, "teams.unavailable"],
    [504, "teams.unavailable"],
  ] as const) {
    it(`${status} is transient (${code})`, () => {
      const err = mapConnectorError(restError(status), "startThread");
      assert.ok(err instanceof TransientError);
      assert.equal(err.code, code);
    });
  }

  it("a 403 means the app cannot post in the team: the link is suspended (BotNotInConversationRoster named as such)", () => {
    const err = mapConnectorError(restError(403, "BotNotInConversationRoster"), "postInThread");
    assert.ok(err instanceof TeamsRefusal);
    assert.equal(err.refusal, "app-removed");
    assert.equal(err.code, "teams.not_installed");
    assert.equal(err.notApplied, true);
    const disabled = mapConnectorError(restError(403, "BotDisabledByAdmin"), "postInThread");
    assert.ok(disabled instanceof TeamsRefusal && disabled.refusal === "app-removed");
    assert.match(disabled.userMessage, /BotDisabledByAdmin/);
  });

  it("a 404 is a gone thread on a reply, and a gone channel when starting a thread", () => {
    const reply = mapConnectorError(restError(404, "ConversationNotFound"), "postInThread");
    assert.ok(reply instanceof TeamsRefusal && reply.refusal === "thread-gone");
    const start = mapConnectorError(restError(404, "ConversationNotFound"), "startThread");
    assert.ok(start instanceof TeamsRefusal && start.refusal === "app-removed");
  });

  it("400 and 413 refuse this post only: it is posted again as plain text", () => {
    for (const status of [400, 413]) {
      const err = mapConnectorError(restError(status), "postInThread");
      assert.ok(err instanceof TeamsRefusal && err.refusal === "post-refused");
    }
  });

  for (const [status, code] of [
    [400, "teams.bad_request"],
    [401, "teams.unauthorized"],
    [403, "teams.forbidden"],
    [404, "teams.not_found"],
    [413, "teams.too_large"],
    [409, "teams.http_409"],
  ] as const) {
    it(`${status} is permanent (${code})`, () => {
      const err = mapConnectorError(restError(status), "postInThread");
      assert.ok(err instanceof PermanentError);
      assert.equal(err.code, code);
    });
  }

  it("network failures are transient", () => {
    const err = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    assert.equal(mapConnectorError(err, "postInThread").code, "teams.network");
    assert.ok(mapConnectorError(Object.assign(new Error("aborted"), { name: "AbortError" }), "x") instanceof TransientError);
  });

  it("unknown failures are permanent and BridgeErrors pass through", () => {
    assert.ok(mapConnectorError(new TypeError("bug"), "x") instanceof PermanentError);
    const original = new TransientError("teams.throttled", "x");
    assert.equal(mapConnectorError(original, "y"), original);
  });

  it("parses Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-11-30T10:00:00Z");
    assert.equal(parseRetryAfter("2", now), 2000);
    assert.equal(parseRetryAfter("Mon, 30 Nov 2026 10:00:05 GMT", now), 5000);
    assert.equal(parseRetryAfter("soon", now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });
});

describe("serviceUrl allow-list", () => {
  const hosts = ["smba.trafficmanager.net", "127.0.0.1:4000"];
  it("accepts allowed https hosts and loopback http with the right port", () => {
    assert.equal(allowedServiceUrlHost("https://smba.trafficmanager.net/emea/", hosts), "smba.trafficmanager.net");
    assert.equal(allowedServiceUrlHost("https://SMBA.trafficmanager.net:443/amer/", hosts), "smba.trafficmanager.net");
    assert.equal(allowedServiceUrlHost("http://127.0.0.1:4000/", hosts), "127.0.0.1:4000");
  });
  it("refuses other hosts, other ports, plain http off loopback, credentials in the URL and non-URLs", () => {
    for (const url of [
      "https://evil.example/",
      "http://127.0.0.1:4001/",
      "http://smba.trafficmanager.net/",
      "https://smba.trafficmanager.net.evil.example/",
      "https://user:pw@smba.trafficmanager.net/",
      "not a url",
      "",
      undefined,
    ]) {
      assert.equal(allowedServiceUrlHost(url, hosts), undefined, String(url));
    }
  });
});
