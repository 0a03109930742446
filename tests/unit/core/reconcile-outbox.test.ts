import assert from "node:assert/strict";
import { paragraph } from "../../../src/core/formatted-text";
import { BusinessNumberId, contactKeyOf, TeamsMessageId, WaPhone, type TeamsThreadRef } from "../../../src/core/ids";
import type { NewOutboxEntry, OutboxState } from "../../../src/core/ports/outbox-store";
import { reconcile, renderReport } from "../../../src/core/bridge/recovery/reconcile";
import { MemoryStores } from "../../../src/storage/memory/memory-stores";

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 30, 12);
const BUSINESS = BusinessNumberId("106540352242922");
const THREAD = "19:whatsapp@thread.tacv2;messageid=1700000000001" as TeamsThreadRef;

async function seed(): Promise<MemoryStores> {
  const stores = new MemoryStores();
  const rows: Array<[string, OutboxState, number]> = [
    ["uncertain-recent", "uncertain", 2 * MIN],
    ["queued-old", "queued", 40 * MIN],
    ["sending-old", "sending", 20 * MIN],
    ["queued-fresh", "queued", 3 * MIN],
    ["sent-old", "sent", 90 * MIN],
    ["failed-old", "failed", 90 * MIN],
  ];
  for (const [id, state, ageMs] of rows) {
    const entry: NewOutboxEntry = {
      business: BUSINESS,
      contact: contactKeyOf(BUSINESS, { phone: WaPhone("5511987654321") }),
      thread: THREAD,
      teamsMessageId: TeamsMessageId(id),
      body: paragraph(`secret text of ${id}`),
      state,
      attempts: state === "queued" ? 0 : 1,
      resends: 0,
      createdAt: NOW - ageMs - MIN,
      updatedAt: NOW - ageMs,
      owner: "x",
      ...(state === "uncertain" ? { detail: "the bridge stopped while sending it to WhatsApp" } : {}),
    };
    await stores.outbox.create(entry);
  }
  return stores;
}

describe("reconcile lists staff replies that may not have reached WhatsApp", () => {
  it("uncertain ones at any age; queued or sending ones older than the limit; never sent or failed ones", async () => {
    const report = await reconcile(await seed(), { now: NOW, outboundOlderThanMs: 15 * MIN });
    assert.deepEqual(
      report.strandedReplies.map((r) => [r.teamsMessageId, r.state, Math.round(r.ageMs / MIN)]),
      [
        ["queued-old", "queued", 40],
        ["sending-old", "sending", 20],
        ["uncertain-recent", "uncertain", 2],
      ],
    );
    assert.equal((await reconcile(await seed(), { now: NOW, outboundOlderThanMs: 0 })).strandedReplies.length, 4);
  });

  it("renders them in their own section, counted in the summary, without the text of the replies", async () => {
    const text = renderReport(await reconcile(await seed(), { now: NOW, outboundOlderThanMs: 15 * MIN }));
    assert.match(text, /: 3 item\(s\) to look at/);
    assert.match(text, /Staff replies that may not have reached WhatsApp: cut short mid-send, or waiting longer than 15m \(3\)/);
    assert.match(
      text,
      /\n {2}2m\s+uncertain\s+1\s+106540352242922\s+19:whatsapp@thread\.tacv2;messageid=1700000000001\s+uncertain-recent\s+the bridge stopped/,
    );
    assert.doesNotMatch(text, /secret text/);
  });

  it("an empty outbox reports nothing", async () => {
    const report = await reconcile(new MemoryStores(), { now: NOW, outboundOlderThanMs: 15 * MIN });
    assert.deepEqual(report.strandedReplies, []);
    assert.match(renderReport(report), /nothing to report/);
  });
});
