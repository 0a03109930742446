import assert from "node:assert/strict";
import { fatalLine } from "../../src/observability/logger";
import { ACCESS_TOKEN, APP_SECRET, type Harness } from "../support/bridge-harness";
import { securityCase } from "./support/casebook";
import { allLogs, closeHarness, openHarness, phonesUsed, refusalAnswers, secretsUsed } from "./support/hostile-world";

/** Runs last: probes for debug endpoints, then every log line and refusal of the suite is searched for secrets. */

const PROBES = [
  "/heapdump",
  "/actuator",
  "/actuator/health",
  "/actuator/env",
  "/debug",
  "/debug/pprof",
  "/debug/vars",
  "/.env",
  "/.git/config",
  "/server-status",
  "/metrics",
  "/admin",
  "/media/..%2F..%2F.env",
];
const STACK = /\n\s+at |\.(ts|js):\d+|node_modules|Error:/;

/** Where each secret or full number appears in `text` (labels only: the values are never printed). */
function leaks(text: string): string[] {
  const found = [...secretsUsed].filter(([, value]) => text.includes(value)).map(([label]) => label);
  const digits = text.replace(/[\s()+-]/g, "");
  for (const phone of phonesUsed) if (digits.includes(phone)) found.push(`phone …${phone.slice(-4)}`);
  if (/eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\./.test(text)) found.push("a JWT");
  return found;
}

export function hygieneCases(): void {
  describe("secret hygiene and debug endpoints (after every other group)", function () {
    this.timeout(30_000);
    let h: Harness;
    before(async () => {
      h = await openHarness();
    });
    after(async () => closeHarness(h));

    securityCase(
      "38",
      "probes for /heapdump, /actuator/*, /debug, /.env, /.git/config…; then every log line of the suite searched for secrets",
      "all 404 without stack traces; zero secrets, tokens, JWTs or full phone numbers in the logs",
      async () => {
        const answers = await Promise.all(
          PROBES.map(async (path) => {
            const res = await fetch(`${h.bridge.url}${path}`);
            return { path, status: res.status, body: await res.text() };
          }),
        );
        for (const a of answers) {
          assert.equal(a.status, 404, a.path);
          assert.doesNotMatch(a.body, STACK, a.path);
          assert.equal(leaks(a.body).length, 0);
        }
        const log = allLogs();
        const lines = log.trim().split("\n").length;
        assert.ok(lines > 300, `a representative log (${lines} lines)`);
        assert.ok(secretsUsed.size > 20, `${secretsUsed.size} secrets and tokens to look for`);
        assert.deepEqual(leaks(log), [], "secrets in the log");
        return `${answers.length} probes: all ${[...new Set(answers.map((a) => a.status))].join("/")}, no stack trace; ${lines} log lines searched for ${secretsUsed.size} secrets and tokens and ${phonesUsed.size} full numbers: 0 found`;
      },
    );

    securityCase(
      "F20",
      "the bridge's answers to refused requests, and its last words on a crash",
      "no secret, token, JWT, full phone number or stack trace",
      async () => {
        assert.ok(refusalAnswers.length > 10, `${refusalAnswers.length} refusals collected`);
        for (const body of refusalAnswers) {
          assert.doesNotMatch(body, STACK);
          assert.deepEqual(leaks(body), []);
        }
        const crash = new Error(`storage refused AccountKey=${APP_SECRET}; retry with Bearer ${ACCESS_TOKEN}.x.y for +447700900123`);
        const line = fatalLine("bridge.crashed", { error: crash, env: { WHATSAPP_APP_SECRET: APP_SECRET } });
        assert.ok(!line.includes(APP_SECRET) && !line.includes(ACCESS_TOKEN) && !line.includes("447700900123"), line);
        return `${refusalAnswers.length} refusal bodies: no stack trace, no secret; a crash line carrying the app secret, a bearer token and a number: scrubbed`;
      },
    );
  });
}
