import assert from "node:assert/strict";
import { AadObjectId, BusinessNumberId, TeamsMessageId, WaGroupId, WaMessageId, WaPhone, WaUserId, type ContactKey, type GroupKey } from "../../src/core/ids";
import type { JournalRecord } from "../../src/core/ports/webhook-journal";
import type { MakeJournal } from "./journal.contract";

const SIGNATURE = `sha256=${"1e".repeat(32)}`;
const DAY = Date.UTC(2026, 4, 10, 9, 30);
const END_OF_DAY = Date.UTC(2026, 4, 11);
const NEXT_DAY = END_OF_DAY + 9 * 3_600_000;
const BUSINESS = BusinessNumberId("106540352242922");
const CONTACT = `${BUSINESS}|US.13491208655302741918` as ContactKey;
const GROUP = `${BUSINESS}|group:Y2FwaV9ncm91cA` as GroupKey;
const author = { aadObjectId: AadObjectId("00000000-0000-4000-8000-0000000000a1"), name: "Ana Staff" };

/** One of each kind of record, at `at`. */
export function sampleRecords(at: number): JournalRecord[] {
  return [
    {
      kind: "outbound",
      at,
      business: BUSINESS,
      conversation: CONTACT,
      recipient: { kind: "individual", phone: WaPhone("5511987654321"), userId: WaUserId("US.13491208655302741918") },
      wamids: [WaMessageId("wamid.out.1"), WaMessageId("wamid.out.2")],
      teamsMessageId: TeamsMessageId("1767000000001"),
      author,
      text: "Hello *there* — é 😀\nsecond line",
      label: "template:welcome|en_US",
    },
    { kind: "status", at: at + 1, wamid: WaMessageId("wamid.out.1"), state: "failed", errorCode: 131047 },
    { kind: "internal", at: at + 2, conversation: GROUP, teamsMessageId: TeamsMessageId("1767000000002"), author, why: "internal-mention", detail: "person" },
    {
      kind: "outbound",
      at: at + 3,
      business: BUSINESS,
      conversation: GROUP,
      recipient: { kind: "group", group: WaGroupId("Y2FwaV9ncm91cA") },
      wamids: [WaMessageId("wamid.out.3")],
      teamsMessageId: TeamsMessageId("1767000000003"),
      text: "Recorded line notice",
      label: "automatic:notice",
    },
  ];
}

/** The record half of the `WebhookJournal` contract: records, and the day's seal. */
export function journalRecordContract(name: string, make: MakeJournal): void {
  describe(`WebhookJournal contract (records and seals): ${name}`, () => {
    it("keeps outbound, status and internal records with every field, filed under the UTC day of `at`, readable by ref", async () => {
      const journal = await make();
      const records = sampleRecords(DAY);
      const refs = await Promise.all(records.map((record) => journal.record(record)));
      assert.equal(new Set(refs).size, records.length);
      for (const [i, ref] of refs.entries()) {
        assert.ok(ref.startsWith("journal/2026/05/10/"), ref);
        assert.deepEqual((await journal.readRecord(ref))?.record, records[i]);
        assert.equal((await journal.readRecord(ref))?.ref, ref);
        assert.equal(await journal.read(ref), undefined, "a record is not a delivery");
      }
    });

    it("records and deliveries written together each keep their own ref; a delivery's ref is not a record", async () => {
      const journal = await make();
      const bodies = Array.from({ length: 20 }, (_, i) => Buffer.from(`{"n":${i}}`));
      const written = await Promise.all([
        ...bodies.map((body, i) => journal.append({ body, signature: SIGNATURE }, DAY + i)),
        ...sampleRecords(DAY).map((record) => journal.record(record)),
      ]);
      assert.equal(new Set(written).size, 24);
      for (const [i, body] of bodies.entries()) {
        assert.ok(Buffer.from((await journal.read(written[i]!))!.body).equals(body));
        assert.equal(await journal.readRecord(written[i]!), undefined);
      }
      assert.equal((await journal.readRecord(written[20]!))?.record.kind, "outbound");
    });

    it("a day is not sealed while it lasts; once over, dayManifest seals it and always gives the same hash", async () => {
      let now = DAY + 60_000;
      const journal = await make({ now: () => now });
      await journal.append({ body: Buffer.from("{}"), signature: SIGNATURE }, DAY);
      await Promise.all(sampleRecords(DAY).map((record) => journal.record(record)));
      assert.equal(await journal.dayManifest(DAY), undefined, "the day is not over");
      now = NEXT_DAY;
      const seal = await journal.dayManifest(DAY + 3_600_000);
      assert.ok(seal);
      assert.equal(seal.day, "2026-05-10");
      assert.match(seal.sha256, /^[0-9a-f]{64}$/);
      assert.equal(seal.manifests.length, 1);
      assert.equal(
        seal.manifests.reduce((sum, m) => sum + m.entries, 0),
        5,
      );
      assert.match(seal.manifests[0]!.name, /^journal\/2026\/05\/10\/manifest-/);
      assert.deepEqual(seal.unsealed, []);
      assert.deepEqual(await journal.dayManifest(DAY), seal, "sealed once, read the same");
      assert.equal(await journal.dayManifest(NEXT_DAY), undefined, "nothing journaled that day");
    });

    it("an entry stamped a minute past midnight seals the day before; close() seals what is still open", async () => {
      const journal = await make({ now: () => DAY });
      await journal.record(sampleRecords(DAY)[0]!);
      await journal.record({ kind: "status", at: END_OF_DAY + 30_000, wamid: WaMessageId("wamid.late"), state: "read" });
      assert.equal(await journal.dayManifest(DAY), undefined, "30 s past midnight is within the grace");
      await journal.record({ kind: "status", at: END_OF_DAY + 61_000, wamid: WaMessageId("wamid.later"), state: "read" });
      const before = await journal.dayManifest(DAY);
      assert.equal(
        before?.manifests.reduce((sum, m) => sum + m.entries, 0),
        1,
      );
      assert.equal(await journal.dayManifest(END_OF_DAY), undefined, "the clock says the next day is not over");
      await journal.close();
      const next = await journal.dayManifest(END_OF_DAY);
      assert.equal(
        next?.manifests.reduce((sum, m) => sum + m.entries, 0),
        2,
      );
    });

    it("an entry filed under a day after it was sealed gets a manifest of its own: the day's hash changes, nothing is rewritten", async () => {
      const journal = await make({ now: () => NEXT_DAY });
      await journal.record(sampleRecords(DAY)[0]!);
      const first = await journal.dayManifest(DAY);
      await journal.record(sampleRecords(DAY)[1]!);
      await journal.close();
      const second = await journal.dayManifest(DAY);
      assert.ok(first && second);
      assert.equal(second.manifests.length, 2);
      assert.deepEqual(second.manifests[0], first.manifests[0], "the first manifest is as it was");
      assert.notEqual(second.sha256, first.sha256);
    });
  });
}
