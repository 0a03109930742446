import assert from "node:assert/strict";
import { WaMessageId } from "../../src/core/ids";
import type { InboxEntry } from "../../src/core/model";
import type { Stores } from "../../src/core/ports/stores";
import { rejectsPermanent } from "./contract-assert";
import { AWKWARD_WAMID, BUSINESS, inboundText, inboxEntry, OTHER_BUSINESS } from "./store-fixtures";

const entryAt = (id: string, timestamp: number, receivedAt: number, business = BUSINESS): InboxEntry =>
  inboxEntry(inboundText({ id: WaMessageId(id), timestamp, business }), { receivedAt });

export function inboxStoreContract(make: () => Promise<Stores>): void {
  describe("InboxStore", () => {
    it("records an event once, round-trips it with unicode intact, and reports later copies as duplicates", async () => {
      const { inbox } = await make();
      const entry = inboxEntry();
      assert.equal(await inbox.get(BUSINESS, entry.key), undefined);
      assert.equal(await inbox.record(entry), "created");
      assert.deepEqual(await inbox.get(BUSINESS, entry.key), entry);
      assert.equal(await inbox.record({ ...entry, receivedAt: entry.receivedAt + 5_000 }), "duplicate");
      assert.deepEqual(await inbox.get(BUSINESS, entry.key), entry);
      assert.equal(await inbox.get(OTHER_BUSINESS, entry.key), undefined);
    });

    it("record is atomic: of 10 concurrent records of one event exactly one is created", async () => {
      const { inbox } = await make();
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => inbox.record(inboxEntry(inboundText(), { receivedAt: 1_764_000_000_000 + i }))));
      assert.equal(results.filter((r) => r === "created").length, 1);
      assert.equal(results.filter((r) => r === "duplicate").length, 9);
      assert.equal((await inbox.list("pending")).length, 1);
    });

    it("a burst of 250 concurrent records over two numbers, with repeats and events recorded before, creates each event exactly once", async () => {
      const { inbox } = await make();
      // Recorded before the burst: inside the burst they must come back as duplicates.
      const earlier = [3, 77, 140].map((n) => entryAt(`wamid.burst.${n}`, 1_764_000_000 + n, 1_764_000_000_000));
      for (const e of earlier) assert.equal(await inbox.record(e), "created");
      // 220 distinct events (more than one transaction holds), 20 of them sent twice, 10 to another number.
      const distinct = Array.from({ length: 220 }, (_, n) =>
        entryAt(`wamid.burst.${n}`, 1_764_000_000 + n, 1_764_000_001_000, n % 22 === 0 ? OTHER_BUSINESS : BUSINESS),
      );
      const burst = [...distinct, ...distinct.slice(100, 120), ...distinct.slice(0, 10)];
      const results = await Promise.all(burst.map((e) => inbox.record(e)));
      const createdKeys = burst.filter((_, i) => results[i] === "created").map((e) => `${e.business}/${e.key}`);
      assert.equal(new Set(createdKeys).size, createdKeys.length, "no event created twice");
      assert.equal(createdKeys.length, 220 - 3, "every event not recorded before is created once");
      assert.equal(results.filter((r) => r === "duplicate").length, burst.length - 217);
      for (const e of earlier) assert.ok(!createdKeys.includes(`${e.business}/${e.key}`), `${e.key} was recorded before`);
      const stored = [...(await inbox.list("pending", BUSINESS)), ...(await inbox.list("pending", OTHER_BUSINESS))];
      assert.equal(stored.length, 220);
      assert.deepEqual(await inbox.get(BUSINESS, "msg:wamid.burst.101"), distinct[101]);
    });

    it("oldest gives the N oldest entries in the given states, in inbox order, and how many there are in all", async () => {
      const { inbox } = await make();
      // Recorded out of order, over two numbers, in three states.
      const stamps = [50, 10, 40, 20, 70, 30, 60, 5, 80, 15];
      for (const [i, t] of stamps.entries())
        await inbox.record(entryAt(`wamid.old.${t}`, 1_764_000_000 + t, 1_764_000_000_000 + i, i % 3 === 0 ? OTHER_BUSINESS : BUSINESS));
      await inbox.setState(BUSINESS, "msg:wamid.old.10", "posting");
      await inbox.setState(OTHER_BUSINESS, "msg:wamid.old.20", "done");
      await inbox.setState(BUSINESS, "msg:wamid.old.5", "unrouted");
      const { entries, total } = await inbox.oldest(["pending", "posting"], 4);
      assert.equal(total, 8, "every pending or posting entry is counted");
      assert.deepEqual(
        entries.map((e) => e.key),
        ["msg:wamid.old.10", "msg:wamid.old.15", "msg:wamid.old.30", "msg:wamid.old.40"],
      );
      assert.equal(entries[0]!.state, "posting");
      assert.deepEqual(
        (await inbox.oldest(["unrouted"], 10)).entries.map((e) => e.key),
        ["msg:wamid.old.5"],
      );
      assert.deepEqual(await inbox.oldest(["failed"], 10), { entries: [], total: 0 });
    });

    it("the same key under two business numbers is two events", async () => {
      const { inbox } = await make();
      const a = inboxEntry();
      const b = inboxEntry(inboundText({ business: OTHER_BUSINESS }));
      assert.equal(a.key, b.key);
      assert.equal(await inbox.record(a), "created");
      assert.equal(await inbox.record(b), "created");
    });

    it("setState moves an entry, sets or clears its detail, and is idempotent", async () => {
      const { inbox } = await make();
      const entry = inboxEntry();
      await inbox.record(entry);
      await inbox.setState(BUSINESS, entry.key, "failed", "Teams said 403 — ⚠");
      assert.deepEqual(await inbox.get(BUSINESS, entry.key), { ...entry, state: "failed", detail: "Teams said 403 — ⚠" });
      await inbox.setState(BUSINESS, entry.key, "done");
      await inbox.setState(BUSINESS, entry.key, "done");
      assert.deepEqual(await inbox.get(BUSINESS, entry.key), { ...entry, state: "done" });
    });

    it("setState on a missing entry throws a PermanentError", async () => {
      const { inbox } = await make();
      await rejectsPermanent(inbox.setState(BUSINESS, "msg:wamid.nothing", "done"), "storage.inbox_entry_missing");
      assert.equal(await inbox.get(BUSINESS, "msg:wamid.nothing"), undefined);
    });

    it("clips a very long detail instead of failing", async () => {
      const { inbox } = await make();
      const entry = inboxEntry();
      await inbox.record(entry);
      await inbox.setState(BUSINESS, entry.key, "failed", "e".repeat(50_000));
      const detail = (await inbox.get(BUSINESS, entry.key))?.detail ?? "";
      assert.ok(detail.length > 1_000 && detail.length <= 4_000, `detail length ${detail.length}`);
    });

    it("lists by state, optionally by business, oldest WhatsApp timestamp first, then by receipt", async () => {
      const { inbox } = await make();
      const late = entryAt("wamid.C", 1_764_000_300, 1);
      const earlyReceivedLast = entryAt("wamid.B", 1_764_000_100, 3_000);
      const earlyReceivedFirst = entryAt("wamid.A", 1_764_000_100, 2_000);
      const other = entryAt("wamid.D", 1_764_000_200, 1, OTHER_BUSINESS);
      const done = entryAt("wamid.E", 1_764_000_000, 1);
      for (const e of [late, earlyReceivedLast, other, done, earlyReceivedFirst]) await inbox.record(e);
      await inbox.setState(BUSINESS, done.key, "done");
      assert.deepEqual(
        (await inbox.list("pending")).map((e) => e.key),
        [earlyReceivedFirst, earlyReceivedLast, other, late].map((e) => e.key),
      );
      assert.deepEqual(
        (await inbox.list("pending", BUSINESS)).map((e) => e.key),
        [earlyReceivedFirst, earlyReceivedLast, late].map((e) => e.key),
      );
      assert.deepEqual(
        (await inbox.list("pending", OTHER_BUSINESS)).map((e) => e.key),
        [other.key],
      );
      assert.deepEqual(
        (await inbox.oldest(["pending", "posting", "held", "unrouted", "failed"], 10)).entries.map((e) => e.key).includes(done.key),
        false,
        "a finished entry is in no listing",
      );
      assert.deepEqual(await inbox.list("unrouted"), []);
      await inbox.setState(BUSINESS, late.key, "held", "link suspended");
      assert.deepEqual(
        (await inbox.list("held", BUSINESS)).map((e) => [e.key, e.state, e.detail]),
        [[late.key, "held", "link suspended"]],
      );
    });

    it("handles keys with / + = # ? and keeps escaped look-alikes apart", async () => {
      const { inbox } = await make();
      const awkward = inboxEntry(inboundText({ id: AWKWARD_WAMID }));
      const hashy = inboxEntry(inboundText({ id: WaMessageId("wamid.a#b?c") }));
      const lookalike = inboxEntry(inboundText({ id: WaMessageId("wamid.a%23b%3Fc") }));
      for (const e of [awkward, hashy, lookalike]) assert.equal(await inbox.record(e), "created");
      assert.equal(await inbox.record(awkward), "duplicate");
      await inbox.setState(BUSINESS, awkward.key, "unrouted", "no channel");
      assert.deepEqual(await inbox.get(BUSINESS, awkward.key), { ...awkward, state: "unrouted", detail: "no channel" });
      assert.deepEqual(await inbox.get(BUSINESS, hashy.key), hashy);
      assert.deepEqual(await inbox.get(BUSINESS, lookalike.key), lookalike);
      assert.deepEqual(
        (await inbox.list("unrouted", BUSINESS)).map((e) => e.key),
        [awkward.key],
      );
    });

    it("refuses an event too large to store, and records nothing", async () => {
      const { inbox } = await make();
      const huge = inboxEntry(inboundText({}, "😀".repeat(20_000)));
      await rejectsPermanent(inbox.record(huge), "storage.value_too_large");
      assert.equal(await inbox.get(BUSINESS, huge.key), undefined);
    });

    it("keeps the journal ref of the delivery that carried an entry", async () => {
      const { inbox } = await make();
      const entry = inboxEntry(inboundText(), { journalRef: "journal/2026/11/30/" + "ab".repeat(32) + ".json" });
      await inbox.record(entry);
      await inbox.setState(BUSINESS, entry.key, "done");
      assert.deepEqual(await inbox.get(BUSINESS, entry.key), { ...entry, state: "done" });
      assert.deepEqual((await inbox.get(BUSINESS, entry.key))?.journalRef, entry.journalRef);
    });

    it("lists entries flagged as possible duplicates, in any state, oldest first; flags survive later state changes unless set again", async () => {
      const { inbox } = await make();
      const a = entryAt("wamid.FA", 1_764_000_200, 1);
      const b = entryAt("wamid.FB", 1_764_000_100, 1, OTHER_BUSINESS);
      const c = entryAt("wamid.FC", 1_764_000_050, 1);
      const plain = entryAt("wamid.FD", 1_764_000_000, 1);
      for (const e of [a, b, c, plain]) await inbox.record(e);
      await inbox.setState(BUSINESS, a.key, "posting", undefined, { duplicateSuspected: true });
      await inbox.setState(BUSINESS, a.key, "done", "already posted");
      await inbox.setState(OTHER_BUSINESS, b.key, "posting", undefined, { duplicateSuspected: true });
      await inbox.setState(BUSINESS, c.key, "posting", undefined, { duplicateSuspected: true });
      await inbox.setState(BUSINESS, c.key, "failed", "refused", { duplicateSuspected: false });
      await inbox.setState(BUSINESS, plain.key, "done");
      const flagged = await inbox.listFlagged();
      assert.deepEqual(
        flagged.map((e) => [e.key, e.state, e.detail]),
        [
          [b.key, "posting", undefined],
          [a.key, "done", "already posted"],
        ],
      );
      assert.equal((await inbox.get(BUSINESS, a.key))?.duplicateSuspected, true);
      assert.equal("duplicateSuspected" in (await inbox.get(BUSINESS, c.key))!, false, "a cleared flag reads back as absent");
    });

    it("an interrupted post held for a suspended link keeps its flag until it is resumed", async () => {
      const { inbox } = await make();
      const e = entryAt("wamid.HELD", 1_764_000_300, 1);
      await inbox.record(e);
      await inbox.setState(BUSINESS, e.key, "posting");
      await inbox.setState(BUSINESS, e.key, "held", "link suspended", { interruptedPost: true });
      assert.deepEqual(
        (await inbox.list("held", BUSINESS)).map((x) => [x.key, x.interruptedPost]),
        [[e.key, true]],
      );
      assert.deepEqual(await inbox.list("posting"), []);
      await inbox.setState(BUSINESS, e.key, "posting", undefined, { interruptedPost: false });
      assert.deepEqual(
        (await inbox.list("posting")).map((x) => [x.key, x.interruptedPost]),
        [[e.key, undefined]],
      );
      assert.deepEqual(await inbox.list("held"), []);
    });

    it("hands out copies", async () => {
      const { inbox } = await make();
      const written = structuredClone(inboxEntry()) as unknown as { event: { timestamp: number } };
      await inbox.record(written as unknown as InboxEntry);
      written.event.timestamp = 0;
      const read = (await inbox.get(BUSINESS, inboxEntry().key)) as unknown as { event: { timestamp: number } };
      read.event.timestamp = 1;
      const listed = (await inbox.list("pending"))[0] as unknown as { event: { timestamp: number } };
      listed.event.timestamp = 2;
      assert.deepEqual(await inbox.get(BUSINESS, inboxEntry().key), inboxEntry());
    });
  });
}
