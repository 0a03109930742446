import assert from "node:assert/strict";
import { paragraph } from "../../src/core/formatted-text";
import { AadObjectId, TeamsMessageId, WaMessageId, type TemplateKey } from "../../src/core/ids";
import type { NewOutboxEntry, OutboxEntry } from "../../src/core/ports/outbox-store";
import type { Stores } from "../../src/core/ports/stores";
import { rejectsPermanent } from "./contract-assert";
import { AWKWARD_WAMID, BUSINESS, contact, thread } from "./store-fixtures";

/** A reply as the core accepts it; every field can be overridden. */
function reply(overrides: Partial<NewOutboxEntry> = {}): NewOutboxEntry {
  return {
    business: BUSINESS,
    contact: contact(),
    thread: thread(),
    teamsMessageId: TeamsMessageId("1700000000777"),
    author: AadObjectId("00000000-0000-0000-0000-0000000000aa"),
    body: [
      {
        kind: "paragraph",
        inlines: [
          { kind: "text", text: "Olá 👋 — your order ", marks: { bold: true } },
          { kind: "link", href: "https://example.com/o?id=1&x=/#", text: "#4471" },
        ],
      },
    ],
    replyTo: AWKWARD_WAMID,
    state: "queued",
    attempts: 0,
    resends: 0,
    createdAt: 1_764_000_000_100,
    updatedAt: 1_764_000_000_100,
    owner: "pacer-a",
    ...overrides,
  };
}

/** The entry without its version (versions are opaque and differ between stores). */
const content = ({ version: _version, ...rest }: OutboxEntry) => rest;

export function outboxStoreContract(make: () => Promise<Stores>): void {
  describe("OutboxStore", () => {
    it("creates a reply once, round-trips it with unicode and markup intact, and reports a redelivery as existing", async () => {
      const { outbox } = await make();
      const entry = reply();
      assert.equal(await outbox.get(entry.thread, entry.teamsMessageId), undefined);
      const first = await outbox.create(entry);
      assert.ok(first.created);
      assert.deepEqual(content(first.entry), entry);
      assert.equal(typeof first.entry.version, "string");
      assert.deepEqual(content((await outbox.get(entry.thread, entry.teamsMessageId))!), entry);
      const again = await outbox.create({ ...entry, body: paragraph("different"), createdAt: entry.createdAt + 5 });
      assert.equal(again.created, false);
      assert.ok(!again.created && again.existing.body[0]?.kind === "paragraph");
      assert.deepEqual(content((await outbox.get(entry.thread, entry.teamsMessageId))!), entry, "the first row is kept");
    });

    it("create is atomic: of 10 concurrent creates of one Teams message exactly one is created", async () => {
      const { outbox } = await make();
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => outbox.create(reply({ owner: `pacer-${i}` }))));
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal((await outbox.list(["queued"])).length, 1);
    });

    it("the same message id in two threads is two rows", async () => {
      const { outbox } = await make();
      assert.ok((await outbox.create(reply())).created);
      assert.ok((await outbox.create(reply({ thread: thread("1700000000002") }))).created);
    });

    it("update applies a patch only to the version it was given", async () => {
      const { outbox } = await make();
      const created = await outbox.create(reply());
      assert.ok(created.created);
      const sending = await outbox.update(created.entry, { state: "sending", attempts: 1, owner: "pacer-b", updatedAt: 1_764_000_001_000 });
      assert.ok(sending);
      assert.deepEqual(content(sending), { ...reply(), state: "sending", attempts: 1, owner: "pacer-b", updatedAt: 1_764_000_001_000 });
      assert.notEqual(sending.version, created.entry.version);
      assert.deepEqual(await outbox.get(sending.thread, sending.teamsMessageId), sending, "what update returns is what is stored");
      assert.equal(await outbox.update(created.entry, { state: "failed" }), undefined, "a stale version is refused");
      assert.equal((await outbox.get(sending.thread, sending.teamsMessageId))?.state, "sending");
    });

    it("of 5 concurrent claims of one version exactly one wins", async () => {
      const { outbox } = await make();
      const created = await outbox.create(reply());
      assert.ok(created.created);
      const claims = await Promise.all(Array.from({ length: 5 }, (_, i) => outbox.update(created.entry, { state: "sending", owner: `pacer-${i}` })));
      const winners = claims.filter((c) => c !== undefined);
      assert.equal(winners.length, 1);
      assert.equal((await outbox.get(created.entry.thread, created.entry.teamsMessageId))?.owner, winners[0]!.owner);
    });

    it("update of a row that does not exist resolves to undefined and creates nothing", async () => {
      const { outbox } = await make();
      const created = await outbox.create(reply());
      assert.ok(created.created);
      const ghost = { ...created.entry, teamsMessageId: TeamsMessageId("1700000000888") };
      assert.equal(await outbox.update(ghost, { state: "sent" }), undefined);
      assert.equal(await outbox.get(ghost.thread, ghost.teamsMessageId), undefined);
    });

    it("sets and clears wamids and detail; clips a very long detail", async () => {
      const { outbox } = await make();
      const created = await outbox.create(reply());
      assert.ok(created.created);
      const sent = await outbox.update(created.entry, { state: "sent", wamids: [AWKWARD_WAMID, WaMessageId("wamid.part2")], detail: "e".repeat(50_000) });
      assert.deepEqual(sent?.wamids, [AWKWARD_WAMID, "wamid.part2"]);
      const stored = await outbox.get(created.entry.thread, created.entry.teamsMessageId);
      assert.deepEqual(stored?.wamids, [AWKWARD_WAMID, "wamid.part2"]);
      assert.ok((stored?.detail?.length ?? 0) > 1_000 && (stored?.detail?.length ?? 0) <= 2_000, `detail length ${stored?.detail?.length}`);
      const requeued = await outbox.update(stored!, { state: "queued", wamids: [], detail: "", resends: 1 });
      assert.deepEqual(content(requeued!), { ...reply(), resends: 1 });
      assert.deepEqual(content((await outbox.get(created.entry.thread, created.entry.teamsMessageId))!), { ...reply(), resends: 1 });
    });

    it("lists rows in the given states, oldest accepted first", async () => {
      const { outbox } = await make();
      const late = await outbox.create(reply({ teamsMessageId: TeamsMessageId("3"), createdAt: 3_000 }));
      await outbox.create(reply({ teamsMessageId: TeamsMessageId("1"), createdAt: 1_000 }));
      const middle = await outbox.create(reply({ teamsMessageId: TeamsMessageId("2"), createdAt: 2_000 }));
      assert.ok(late.created && middle.created);
      await outbox.update(middle.entry, { state: "sending" });
      await outbox.update(late.entry, { state: "uncertain" });
      assert.deepEqual(
        (await outbox.list(["queued", "sending"])).map((r) => r.teamsMessageId),
        ["1", "2"],
      );
      assert.deepEqual(
        (await outbox.list(["uncertain", "queued", "sending"])).map((r) => r.teamsMessageId),
        ["1", "2", "3"],
      );
      assert.deepEqual(await outbox.list([]), []);
    });

    it("a finished row leaves the listing; queued again (a rate-limited resend), it is listed again", async () => {
      const { outbox } = await make();
      const created = await outbox.create(reply({ teamsMessageId: TeamsMessageId("9"), createdAt: 9_000 }));
      assert.ok(created.created);
      const sent = await outbox.update(created.entry, { state: "sent", wamids: [WaMessageId("wamid.S")] });
      assert.deepEqual(await outbox.list(["queued", "sending", "uncertain"]), []);
      await outbox.update(sent!, { state: "queued", resends: 1 });
      assert.deepEqual(
        (await outbox.list(["queued"])).map((r) => [r.teamsMessageId, r.resends]),
        [["9", 1]],
      );
    });

    it("round-trips a template row (values, label, author's name) and an automatic row; a recording row is listed until it is sent", async () => {
      const { outbox } = await make();
      const template = reply({
        teamsMessageId: TeamsMessageId("card-1"),
        kind: "template",
        authorName: "Ana Lima — Desk 3",
        label: "template:order_update|pt_BR",
        template: { id: "order_update|pt_BR" as TemplateKey, values: { header: {}, body: { "1": "Olá 👋", name: "#4471 & <b>" } } },
        body: paragraph("Your order Olá 👋 is ready"),
        createdAt: 10_000,
      });
      const {
        replyTo: _replyTo,
        author: _author,
        ...withoutReply
      } = reply({ teamsMessageId: TeamsMessageId("automatic:first-contact:wamid.X"), createdAt: 10_001 });
      const automatic: NewOutboxEntry = { ...withoutReply, kind: "automatic", label: "automatic:first-contact", body: paragraph("We reply within a day.") };
      const created = await outbox.create(template);
      assert.ok(created.created && (await outbox.create(automatic)).created);
      assert.deepEqual(content((await outbox.get(template.thread, template.teamsMessageId))!), template);
      assert.deepEqual(content((await outbox.get(automatic.thread, automatic.teamsMessageId))!), automatic);

      const recording = await outbox.update(created.entry, { state: "recording", wamids: [WaMessageId("wamid.T")] });
      assert.deepEqual(
        (await outbox.list(["recording"])).map((r) => r.teamsMessageId),
        ["card-1"],
      );
      const posted = await outbox.update(recording!, { recordPost: TeamsMessageId("1700000000999"), journalRef: "journal/2026/12/07/seg-1.jsonl#3" });
      assert.equal(posted?.recordPost, "1700000000999");
      assert.deepEqual(content((await outbox.get(template.thread, template.teamsMessageId))!), content(posted!));
      await outbox.update(posted!, { state: "sent" });
      assert.deepEqual(await outbox.list(["recording"]), []);
    });

    it("keeps a body larger than one stored property (the Table store splits it), emoji intact", async () => {
      const { outbox } = await make();
      const prefix = JSON.stringify(paragraph("X")).indexOf("X");
      // The high surrogate of the first 😀 sits at the last place of the first 32 K-character property
      // (Azurite would keep a lone surrogate; Azure may not, so the Table store never cuts a pair).
      const text = `${"a".repeat(32 * 1024 - 1 - prefix)}${"😀".repeat(20)}${"b".repeat(60_000)}`;
      const entry = reply({ body: paragraph(text) });
      assert.ok((await outbox.create(entry)).created);
      const stored = await outbox.get(entry.thread, entry.teamsMessageId);
      assert.deepEqual(stored?.body, paragraph(text));
    });

    it("refuses a body too large to keep, and stores nothing", async () => {
      const { outbox } = await make();
      const entry = reply({ body: paragraph("x".repeat(300_000)) });
      await rejectsPermanent(outbox.create(entry), "storage.value_too_large");
      assert.equal(await outbox.get(entry.thread, entry.teamsMessageId), undefined);
    });
  });
}
