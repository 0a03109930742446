import assert from "node:assert/strict";
import { BridgeService } from "../../../../src/core/bridge/bridge-service";
import { measured, sentKind } from "../../../../src/core/bridge/measured-gateways";
import { TeamsRefusal, TransientError, WhatsAppSendError } from "../../../../src/core/errors";
import { WaMessageId } from "../../../../src/core/ids";
import type { StatusEvent } from "../../../../src/core/messages";
import { NO_METRICS } from "../../../../src/core/ports/metrics";
import { RecordingMetrics } from "../../../fakes/recording-metrics";
import { ADMIN, BUSINESS, customerText, makeWorld, staffMessage } from "../../../fakes/world";

/** A bridge whose metrics are recorded, with a channel linked. */
async function measuredWorld() {
  const w = makeWorld();
  const metrics = new RecordingMetrics();
  const bridge = new BridgeService({ ...w.deps, metrics });
  await bridge.onStaffMessage(staffMessage(`link ${BUSINESS}`, { author: ADMIN, mentionsBot: true }));
  return { ...w, bridge, metrics };
}

/** …and a customer thread. */
async function withThread() {
  const w = await measuredWorld();
  const first = customerText("Hello", { timestamp: Math.floor((w.clock.now() - 60_000) / 1000) });
  await w.bridge.ingest([first]);
  await w.bridge.idle();
  return { ...w, thread: w.teams.threads[0]!.thread, contact: first.contact };
}

const refusal = (failure: "window-closed" | "throughput", metaCode: number) =>
  new WhatsAppSendError(failure, `refused ${metaCode}`, { retryable: failure === "throughput", metaCode, userMessage: "Not sent", notApplied: true });

describe("the bridge's metrics (core, through the Metrics port)", () => {
  it("counts a customer message once, by kind: a redelivery is not counted again", async () => {
    const w = await measuredWorld();
    const message = customerText("Hi there", { id: "wamid.metrics1" });
    await w.bridge.ingest([message]);
    await w.bridge.ingest([message]);
    await w.bridge.idle();
    assert.equal(w.metrics.total("bridge.messages.inbound", { "message.kind": "text" }), 1);
    assert.equal(w.metrics.total("bridge.messages.inbound"), 1);
  });

  it("times each Teams and WhatsApp call by operation and status, and counts what WhatsApp accepted", async () => {
    const w = await withThread();
    assert.equal(w.metrics.values("bridge.teams.call.duration", { "call.operation": "startThread", "call.status": "ok" }).length, 1);
    assert.ok(w.metrics.values("bridge.teams.call.duration", { "call.operation": "postInThread", "call.status": "ok" }).length >= 1);
    await w.bridge.onStaffMessage(staffMessage("On its way", { thread: w.thread }));
    await w.bridge.idle();
    assert.equal(w.metrics.total("bridge.messages.outbound", { "message.kind": "text" }), 1);
    const durations = w.metrics.values("bridge.meta.call.duration", { "call.operation": "sendText", "call.status": "ok" });
    assert.equal(durations.length, 1);
    assert.ok(
      durations.every((d) => d >= 0 && d < 60),
      "seconds",
    );
  });

  it("counts a refused send by Meta's code and kind; a rate limit also as throttled, with the pacer's retry by policy", async () => {
    const w = await withThread();
    w.whatsapp.failNext(refusal("window-closed", 131047));
    await w.bridge.onStaffMessage(staffMessage("Still there?", { thread: w.thread }));
    await w.bridge.idle();
    assert.equal(
      w.metrics.total("bridge.whatsapp.failures", {
        "whatsapp.error.code": "131047",
        "whatsapp.failure.kind": "window-closed",
        "whatsapp.failure.stage": "send",
      }),
      1,
    );
    assert.equal(w.metrics.values("bridge.meta.call.duration", { "call.operation": "sendText", "call.status": "window-closed" }).length, 1);
    assert.equal(w.metrics.total("bridge.calls.throttled"), 0, "a closed window is no rate limit");
    assert.equal(w.metrics.total("bridge.messages.outbound"), 0);

    w.whatsapp.failNext(refusal("throughput", 130429));
    await w.bridge.onStaffMessage(staffMessage("Trying again", { thread: w.thread }));
    await w.bridge.idle();
    assert.equal(w.metrics.total("bridge.calls.throttled", { "call.side": "meta", "call.operation": "sendText" }), 1);
    assert.equal(w.metrics.total("bridge.retries", { "retry.policy": "whatsapp-send" }), 1);
    assert.equal(w.metrics.total("bridge.messages.outbound", { "message.kind": "text" }), 1, "sent after the retry");
  });

  it("counts a failed delivery status by its code and kind (stage status)", async () => {
    const w = await withThread();
    await w.bridge.onStaffMessage(staffMessage("Your statement", { thread: w.thread }));
    await w.bridge.idle();
    const wamid = w.whatsapp.sent[0]!.id;
    const failed: StatusEvent = {
      type: "status",
      business: BUSINESS,
      id: WaMessageId(wamid),
      state: "failed",
      timestamp: Math.floor(w.clock.now() / 1000),
      errors: [{ code: 131026, kind: "recipient", title: "Message undeliverable" }],
    };
    await w.bridge.ingest([failed]);
    await w.bridge.idle();
    assert.equal(
      w.metrics.total("bridge.whatsapp.failures", {
        "whatsapp.error.code": "131026",
        "whatsapp.failure.kind": "recipient",
        "whatsapp.failure.stage": "status",
      }),
      1,
    );
  });

  it("counts Teams' 429 as throttled (and the retry), and a refusal by its kind", async () => {
    const w = await measuredWorld();
    w.teams.failNext(new TransientError("teams.throttled", "429", { notApplied: true }));
    await w.bridge.ingest([customerText("First", { id: "wamid.t1" })]);
    await w.bridge.idle();
    assert.equal(w.metrics.total("bridge.calls.throttled", { "call.side": "teams", "call.operation": "startThread" }), 1);
    assert.equal(w.metrics.total("bridge.retries", { "retry.policy": "background" }), 1);
    assert.equal(w.metrics.values("bridge.teams.call.duration", { "call.operation": "startThread", "call.status": "teams.throttled" }).length, 1);

    w.teams.failNext(new TeamsRefusal("post-refused", "teams.post_refused", "400 malformed"));
    await w.bridge.ingest([customerText("Second", { id: "wamid.t2" })]);
    await w.bridge.idle();
    assert.equal(w.metrics.total("bridge.teams.refusals", { "teams.refusal.kind": "post-refused", "call.operation": "postInThread" }), 1);
  });

  it("counts a contact lane that must try its head again (the background retries ran out) as a contact-lane retry", async () => {
    const w = await measuredWorld();
    w.teams.failNext(...Array.from({ length: 6 }, () => new TransientError("teams.throttled", "429", { notApplied: true })));
    await w.bridge.ingest([customerText("one", { id: "wamid.l1" })]);
    await w.bridge.idle();
    assert.equal(w.teams.threads.length, 1, "posted in the end");
    assert.equal(w.metrics.total("bridge.retries", { "retry.policy": "contact-lane" }), 1);
    assert.equal(w.metrics.total("bridge.calls.throttled", { "call.side": "teams" }), 6);
  });

  it("leaves a port untouched without metrics, and passes through what is not a call", async () => {
    const port = { name: "x", sync: () => 42, call: async () => "done" };
    assert.equal(measured(port, "teams", NO_METRICS, makeWorld().clock), port);
    const metrics = new RecordingMetrics();
    const wrapped = measured(port, "meta", metrics, makeWorld().clock);
    assert.equal(wrapped.name, "x");
    assert.equal(wrapped.sync(), 42);
    assert.equal(await wrapped.call(), "done");
    assert.deepEqual(
      metrics.records.map((r) => r.attributes),
      [{ "call.operation": "call", "call.status": "ok" }],
    );
    assert.deepEqual(
      [sentKind("sendText"), sentKind("sendTemplate"), sentKind("sendMedia"), sentKind("markRead"), sentKind("sendLocationRequest")],
      ["text", "template", "media", undefined, "location-request"],
    );
  });
});
