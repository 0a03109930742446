import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { WebhookJournal } from "../../src/core/ports/webhook-journal";

/** Makes a fresh, empty journal for one test. */
export type MakeJournal = () => Promise<WebhookJournal>;

const SIGNATURE = `sha256=${"0f".repeat(32)}`;
const NOV_30 = Date.UTC(2026, 10, 30, 23, 59, 58, 250);
const DEC_1 = Date.UTC(2026, 11, 1, 0, 0, 1);

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/**
 * The contract every `WebhookJournal` meets (core/ports/webhook-journal.ts), run against the in-memory
 * journal and the Blob journal on Azurite.
 */
export function webhookJournalContract(name: string, make: MakeJournal): void {
  describe(`WebhookJournal contract: ${name}`, () => {
    it("files the exact bytes under journal/yyyy/mm/dd/<sha256>.json (UTC day) and reads them back with signature and time", async () => {
      const journal = await make();
      // Not valid UTF-8 and not normalised JSON: the journal keeps bytes, not text.
      const body = Buffer.concat([Buffer.from('{"object": "whatsapp_business_account", "x":"\\u00e9 😀"}'), Buffer.from([0xff, 0xfe, 0x00, 0x0a])]);
      const ref = await journal.append({ body, signature: SIGNATURE }, NOV_30);
      assert.equal(ref, `journal/2026/11/30/${sha256(body)}.json`);
      const read = await journal.read(ref);
      assert.ok(read);
      assert.ok(Buffer.from(read.body).equals(body));
      assert.equal(read.signature, SIGNATURE);
      assert.equal(read.receivedAt, NOV_30);
      assert.equal(read.ref, ref);
    });

    it("a redelivery of identical bytes on the same day is a success with the same ref; the first receipt is kept", async () => {
      const journal = await make();
      const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
      const first = await journal.append({ body, signature: SIGNATURE }, NOV_30 - 60_000);
      const again = await journal.append({ body, signature: SIGNATURE }, NOV_30);
      assert.equal(again, first);
      assert.equal((await journal.read(first))?.receivedAt, NOV_30 - 60_000);
    });

    it("ten concurrent appends of the same bytes all succeed with one ref", async () => {
      const journal = await make();
      const body = Buffer.from(`{"concurrent":${Date.now()}}`);
      const refs = await Promise.all(Array.from({ length: 10 }, () => journal.append({ body, signature: SIGNATURE }, NOV_30)));
      assert.equal(new Set(refs).size, 1);
      assert.ok(Buffer.from((await journal.read(refs[0]!))!.body).equals(body));
    });

    it("another day or other bytes make another entry; nothing is overwritten", async () => {
      const journal = await make();
      const a = Buffer.from('{"n":1}');
      const b = Buffer.from('{"n":2}');
      const refA = await journal.append({ body: a, signature: SIGNATURE }, NOV_30);
      const refNextDay = await journal.append({ body: a, signature: SIGNATURE }, DEC_1);
      const refB = await journal.append({ body: b, signature: `sha256=${"1e".repeat(32)}` }, NOV_30);
      assert.equal(refNextDay, `journal/2026/12/01/${sha256(a)}.json`);
      assert.equal(new Set([refA, refNextDay, refB]).size, 3);
      assert.ok(Buffer.from((await journal.read(refA))!.body).equals(a));
      assert.ok(Buffer.from((await journal.read(refB))!.body).equals(b));
      assert.equal((await journal.read(refB))?.signature, `sha256=${"1e".repeat(32)}`);
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
      assert.equal(await journal.read(`journal/2026/11/30/${"ab".repeat(32)}.json`), undefined);
      assert.equal(await journal.read("not/a/journal/ref"), undefined);
    });
  });
}
