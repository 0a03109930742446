import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BusinessNumberId, TeamsChannelId, TeamsMessageId, TenantId, WaMessageId, threadRefOf, type ConversationKey } from "../../../src/core/ids";
import { paragraph } from "../../../src/core/formatted-text";
import { eventKeyOf } from "../../../src/core/messages";
import type { InboxEntry, InboxState } from "../../../src/core/model";
import type { OutboxState } from "../../../src/core/ports/outbox-store";
import { LocalMediaStore } from "../../../src/media";
import { createTableStores } from "../../../src/storage/table/table-stores";
import { customerText } from "../../fakes/world";
import { getAzurite, uniqueTablePrefix } from "../../support/azurite";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 1, 12);
const CUTOFF = NOW - 30 * DAY;
const BUSINESS = BusinessNumberId("106540352242922");
const THREAD = threadRefOf(TeamsChannelId("19:ret@thread.tacv2"), TeamsMessageId("1700000000001"));

describe("retention purge (RETENTION_DAYS) on Azurite and the local media folder", function () {
  this.timeout(60_000);

  it("deletes finished inbox entries and outbox rows older than the cut-off; keeps the unfinished and the recent", async () => {
    const { connectionString } = await getAzurite();
    const stores = await createTableStores({ connectionString, tablePrefix: uniqueTablePrefix("ret") });
    const inbox = async (id: string, state: InboxState, ageDays: number) => {
      const event = customerText(id, { id: `wamid.${id}` });
      const entry: InboxEntry = { business: BUSINESS, key: eventKeyOf(event), event, state: "pending", receivedAt: NOW - ageDays * DAY };
      await stores.inbox.record(entry);
      if (state !== "pending") await stores.inbox.setState(BUSINESS, entry.key, state);
    };
    // 130 old finished entries: more than one transaction of 100 in the partition.
    for (let i = 0; i < 130; i++) await inbox(`old-done-${i}`, "done", 31 + (i % 5));
    await inbox("new-done", "done", 29);
    for (const state of ["pending", "posting", "failed", "unrouted", "held"] as const) await inbox(`old-${state}`, state, 60);
    const outbox = async (id: string, state: OutboxState, ageDays: number) => {
      const created = await stores.outbox.create({
        business: BUSINESS,
        contact: `${BUSINESS}|BR.1` as ConversationKey,
        thread: THREAD,
        teamsMessageId: TeamsMessageId(id),
        body: paragraph("hello"),
        state: "queued",
        attempts: 0,
        resends: 0,
        createdAt: NOW - ageDays * DAY,
        updatedAt: NOW - ageDays * DAY,
        owner: "test",
      });
      assert.ok(created.created);
      if (state !== "queued")
        assert.ok(await stores.outbox.update(created.entry, { state, updatedAt: NOW - ageDays * DAY, wamids: [WaMessageId(`wamid.${id}`)] }));
    };
    for (const [id, state, age] of [
      ["o1", "sent", 40],
      ["o2", "failed", 31],
      ["o3", "sent", 29],
      ["o4", "queued", 40],
      ["o5", "sending", 40],
      ["o6", "uncertain", 40],
    ] as const)
      await outbox(id, state, age);

    assert.deepEqual(await stores.purgeFinished(CUTOFF), { inbox: 130, outbox: 2 });
    const waiting = (await stores.inbox.oldest(["pending", "posting", "unrouted", "held", "failed"], 1000)).entries
      .map((e) => (e.event.type === "message" && e.event.content.kind === "text" ? e.event.content.raw : "?"))
      .sort();
    assert.deepEqual(waiting, ["old-failed", "old-held", "old-pending", "old-posting", "old-unrouted"]);
    const keyOf = (id: string) => eventKeyOf(customerText(id, { id: `wamid.${id}` }));
    assert.equal((await stores.inbox.get(BUSINESS, keyOf("new-done")))?.state, "done", "a recent finished entry stays");
    assert.equal(await stores.inbox.get(BUSINESS, keyOf("old-done-0")), undefined);
    const outboxLeft = (await stores.outbox.list(["queued", "sending", "uncertain"])).map((e) => e.teamsMessageId).sort();
    assert.deepEqual(outboxLeft, ["o4", "o5", "o6"]);
    assert.equal((await stores.outbox.get(THREAD, TeamsMessageId("o3")))?.state, "sent", "a recent finished row stays");
    assert.equal(await stores.outbox.get(THREAD, TeamsMessageId("o1")), undefined);
    assert.deepEqual(await stores.purgeFinished(CUTOFF), { inbox: 0, outbox: 0 }, "a second run finds nothing");
  });

  it("removes the bridge's own media copies written before the cut-off, and keeps the link secret and newer files", async () => {
    const directory = mkdtempSync(join(tmpdir(), "media-retention-"));
    try {
      const store = new LocalMediaStore({ directory, publicBaseUrl: () => "http://127.0.0.1" });
      const keep = (wamid: string) =>
        store.keep({
          bytes: Buffer.from(wamid),
          name: `${wamid}.txt`,
          mimeType: "text/plain",
          channel: { channelId: TeamsChannelId("19:c"), tenantId: TenantId("t"), serviceUrl: "https://x" },
          contact: `${BUSINESS}|BR.1` as ConversationKey,
          wamid: WaMessageId(wamid),
        });
      const old = await keep("wamid.old");
      const fresh = await keep("wamid.new");
      const oldToken = old.link!.split("/").at(-2)!;
      const newToken = fresh.link!.split("/").at(-2)!;
      const then = new Date(CUTOFF - DAY);
      for (const file of ["file", "info.json"]) utimesSync(join(directory, oldToken, file), then, then);
      assert.equal(await store.purgeOlderThan(CUTOFF), 1);
      assert.deepEqual(readdirSync(directory).sort(), [".link-secret", newToken].sort());
      assert.equal(await store.purgeOlderThan(CUTOFF), 0);
      assert.equal(
        await new LocalMediaStore({ directory: join(directory, "missing"), publicBaseUrl: () => "" }).purgeOlderThan(NOW),
        0,
        "no folder yet: nothing to purge",
      );
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
