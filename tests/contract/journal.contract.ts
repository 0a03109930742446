import assert from "node:assert/strict";
import type { WebhookJournal } from "../../src/core/ports/webhook-journal";
import { journalRecordContract } from "./journal-records.contract";

/** A journal as the composition root holds it: the port, and `close()` to seal on shutdown. */
export type ClosableJournal = WebhookJournal & { close(): Promise<void> };
/** Makes a fresh, empty journal for one test; `now` is its clock (whether a day is over). */
export type MakeJournal = (options?: { now?: () => number }) => Promise<ClosableJournal>;

const SIGNATURE = `sha256=${"0f".repeat(32)}`;
const NOV_30 = Date.UTC(2026, 10, 30, 23, 59, 58, 250);
const DEC_1 = Date.UTC(2026, 11, 1, 0, 0, 1);

/**
 * The contract every `WebhookJournal` meets (core/ports/webhook-journal.ts), run against the in-memory
 * journal and the Blob journal on Azurite.
 */
export function webhookJournalContract(name: string, make: MakeJournal): void {
  describe(`WebhookJournal contract: ${name}`, () => {
    it("files the exact bytes under journal/yyyy/mm/dd/ (UTC day of receipt) and reads them back with signature and time", async () => {
      const journal = await make();
      // Not valid UTF-8 and not normalised JSON: the journal keeps bytes, not text.
      const body = Buffer.concat([Buffer.from('{"object": "whatsapp_business_account", "x":"\\u00e9 😀"}'), Buffer.from([0xff, 0xfe, 0x00, 0x0a])]);
      const ref = await journal.append({ body, signature: SIGNATURE }, NOV_30);
      assert.ok(ref.startsWith("journal/2026/11/30/"), ref);
      const read = await journal.read(ref);
      assert.ok(read);
      assert.ok(Buffer.from(read.body).equals(body));
      assert.equal(read.signature, SIGNATURE);
      assert.equal(read.receivedAt, NOV_30);
      assert.equal(read.ref, ref);
    });

    it("a redelivery of identical bytes is journaled again as a second receipt; the first is kept as it was", async () => {
      const journal = await make();
      const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
      const first = await journal.append({ body, signature: SIGNATURE }, NOV_30 - 60_000);
      const again = await journal.append({ body, signature: SIGNATURE }, NOV_30);
      assert.notEqual(again, first);
      assert.equal((await journal.read(first))?.receivedAt, NOV_30 - 60_000);
      assert.equal((await journal.read(again))?.receivedAt, NOV_30);
      assert.ok(Buffer.from((await journal.read(again))!.body).equals(body));
    });

    it("fifty concurrent appends all succeed, each with its own ref holding its own bytes", async () => {
      const journal = await make();
      const bodies = Array.from({ length: 50 }, (_, i) => Buffer.from(`{"concurrent":${i},"pad":"${"x".repeat(i * 37)}"}`));
      const refs = await Promise.all(bodies.map((body, i) => journal.append({ body, signature: `sha256=${i.toString(16).padStart(64, "0")}` }, NOV_30 + i)));
      assert.equal(new Set(refs).size, 50);
      for (const [i, ref] of refs.entries()) {
        const read = await journal.read(ref);
        assert.ok(read && Buffer.from(read.body).equals(bodies[i]!), `delivery ${i}`);
        assert.equal(read.signature, `sha256=${i.toString(16).padStart(64, "0")}`);
        assert.equal(read.receivedAt, NOV_30 + i);
      }
    });

    it("deliveries received around midnight are filed under their own UTC day", async () => {
      const journal = await make();
      const a = Buffer.from('{"n":1}');
      const b = Buffer.from('{"n":2}');
      const [refA, refB] = await Promise.all([
        journal.append({ body: a, signature: SIGNATURE }, NOV_30),
        journal.append({ body: b, signature: SIGNATURE }, DEC_1),
      ]);
      assert.ok(refA.startsWith("journal/2026/11/30/"), refA);
      assert.ok(refB.startsWith("journal/2026/12/01/"), refB);
      assert.ok(Buffer.from((await journal.read(refA))!.body).equals(a));
      assert.ok(Buffer.from((await journal.read(refB))!.body).equals(b));
    });

    it("keeps a 3 MB delivery (Meta's largest) intact", async () => {
      const journal = await make();
      const body = Buffer.alloc(3 * 1024 * 1024, "a");
      body.write('{"big":"', 0);
      const ref = await journal.append({ body, signature: SIGNATURE }, NOV_30);
      assert.ok(Buffer.from((await journal.read(ref))!.body).equals(body));
    });

    it("reading a ref that names nothing gives undefined", async () => {
      const journal = await make();
      const ref = await journal.append({ body: Buffer.from("{}"), signature: SIGNATURE }, NOV_30);
      assert.equal(await journal.read(ref.replace(/#\d+$/, "#7")), undefined, "a line the segment does not have");
      assert.equal(await journal.read(`journal/2026/11/30/000000000-${"ab".repeat(8)}.jsonl#0`), undefined);
      assert.equal(await journal.read("not/a/journal/ref"), undefined);
    });
  });
  journalRecordContract(name, make);
}
