import assert from "node:assert/strict";
import { advance, ticksOf } from "../../../../src/core/rules/delivery-state";
import { consentKeyword, DEFAULT_START_KEYWORDS, DEFAULT_STOP_KEYWORDS } from "../../../../src/core/rules/consent";
import { compilePolicy, ibanValid, luhnValid } from "../../../../src/core/rules/outbound-policy";
import { SERVICE_WINDOW_MS, serviceWindow } from "../../../../src/core/rules/service-window";

describe("business rules (pure)", () => {
  describe("24-hour customer service window", () => {
    it("is open for 24 hours after the customer's last message, then closed; never open without one", () => {
      const t = 1_000_000;
      assert.deepEqual(serviceWindow(t, t + 1000), { open: true, closesAt: t + SERVICE_WINDOW_MS });
      assert.deepEqual(serviceWindow(t, t + SERVICE_WINDOW_MS - 1), { open: true, closesAt: t + SERVICE_WINDOW_MS });
      assert.deepEqual(serviceWindow(t, t + SERVICE_WINDOW_MS), { open: false, closedAt: t + SERVICE_WINDOW_MS });
      assert.deepEqual(serviceWindow(undefined, t), { open: false });
    });
  });

  describe("delivery state moves forward only", () => {
    it("sent < delivered < read; read may skip delivered; failed is terminal", () => {
      assert.equal(advance("accepted", "sent"), "sent");
      assert.equal(advance("sent", "delivered"), "delivered");
      assert.equal(advance("sent", "read"), "read");
      assert.equal(advance("read", "delivered"), undefined);
      assert.equal(advance("read", "sent"), undefined);
      assert.equal(advance("delivered", "delivered"), undefined, "a duplicate changes nothing");
      assert.equal(advance("delivered", "failed"), "failed");
      assert.equal(advance("failed", "read"), undefined);
      assert.equal(advance("read", "played"), "played");
    });

    it("shows WhatsApp's ticks", () => {
      assert.equal(ticksOf("sent"), "✓ sent");
      assert.equal(ticksOf("delivered"), "✓✓ delivered");
      assert.equal(ticksOf("read"), "✓✓ read");
    });
  });

  describe("consent keywords", () => {
    const keywords = { stop: DEFAULT_STOP_KEYWORDS, start: DEFAULT_START_KEYWORDS };
    it("only a message that is exactly a keyword counts, in any case, with trailing punctuation", () => {
      for (const text of ["STOP", "stop", " Stop! ", "unsubscribe", "arrêt", "ARRÊT", "baja.", "Parar", "stopp"])
        assert.equal(consentKeyword(text, keywords), "stop", text);
      assert.equal(consentKeyword("start", keywords), "start");
      for (const text of ["please stop calling", "stop it now", "", "STOP STOP", "starting"]) assert.equal(consentKeyword(text, keywords), undefined, text);
    });
    it("uses the configured lists", () => {
      assert.equal(consentKeyword("ALTO", { stop: ["ALTO"], start: ["VOLVER"] }), "stop");
      assert.equal(consentKeyword("STOP", { stop: ["ALTO"], start: ["VOLVER"] }), undefined);
    });
  });

  describe("outbound policy", () => {
    const policy = compilePolicy({ cardNumbers: true, ibans: true, blockedWords: ["guaranteed"], blockedPatterns: ["insider\\s+tip"] });

    it("validates Luhn and IBAN check digits", () => {
      assert.ok(luhnValid("4111111111111111"));
      assert.ok(!luhnValid("4111111111111112"));
      assert.ok(ibanValid("GB82 WEST 1234 5698 7654 32"));
      assert.ok(ibanValid("DE89370400440532013000"));
      assert.ok(!ibanValid("GB82 WEST 1234 5698 7654 33"));
    });

    it("blocks a Luhn-valid card number, naming the rule and showing only the last four digits", () => {
      const verdict = policy("Your card 4111 1111 1111 1111 is on file");
      assert.equal(verdict.ok, false);
      if (verdict.ok) return;
      assert.equal(verdict.rule, "a payment card number");
      assert.match(verdict.hint, /…1111/);
      assert.doesNotMatch(verdict.hint, /4111 1111/);
    });

    it("lets through numbers that are not card numbers (order ids, phone numbers, failed Luhn)", () => {
      assert.deepEqual(policy("Order 4111111111111112 ships today"), { ok: true });
      assert.deepEqual(policy("Call +44 20 7183 8750"), { ok: true });
      assert.deepEqual(policy("Your order #4471 ships today"), { ok: true });
    });

    it("blocks a valid IBAN but not an invalid one", () => {
      const verdict = policy("Pay to GB82 WEST 1234 5698 7654 32 please");
      assert.equal(verdict.ok, false);
      if (!verdict.ok) {
        assert.equal(verdict.rule, "a bank account number (IBAN)");
        assert.doesNotMatch(verdict.hint, /1234 5698/);
      }
      assert.deepEqual(policy("Pay to GB82 WEST 1234 5698 7654 33 please"), { ok: true });
    });

    it("blocks configured words (whole words only) and patterns", () => {
      assert.equal(policy("Returns are GUARANTEED!").ok, false);
      assert.equal(policy("unguaranteedly fine").ok, true);
      const pattern = policy("here is an insider   tip for you");
      assert.equal(pattern.ok, false);
      if (!pattern.ok) assert.equal(pattern.rule, "the blocked pattern /insider\\s+tip/");
    });

    it("can be switched off", () => {
      const off = compilePolicy({ cardNumbers: false, ibans: false, blockedWords: [], blockedPatterns: [] });
      assert.deepEqual(off("4111 1111 1111 1111 GB82WEST12345698765432"), { ok: true });
    });
  });
});
