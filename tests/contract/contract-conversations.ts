import assert from "node:assert/strict";
import { BusinessNumberId, contactKeyOf, groupKeyOf, TeamsChannelId, TeamsMessageId, threadRefOf, WaGroupId, WaMessageId, WaUserId } from "../../src/core/ids";
import type { Conversation } from "../../src/core/model";
import type { Stores } from "../../src/core/ports/stores";
import { rejectsPermanent } from "./contract-assert";
import { BUSINESS, CHANNEL, contact, conversation, thread } from "./store-fixtures";

const place = (root = "1700000000001") => ({ channelId: CHANNEL, thread: thread(root), rootMessageId: TeamsMessageId(root) });

export function conversationStoreContract(make: () => Promise<Stores>): void {
  describe("ConversationStore", () => {
    it("returns undefined for an unknown contact or thread", async () => {
      const { conversations } = await make();
      assert.equal(await conversations.get(contact()), undefined);
      assert.equal(await conversations.findByThread(thread()), undefined);
    });

    it("reserve creates the conversation once; a second reserve returns the existing one", async () => {
      const { conversations } = await make();
      assert.deepEqual(await conversations.reserve(conversation()), { created: true });
      assert.deepEqual(await conversations.get(contact()), conversation());
      const second = await conversations.reserve(conversation({ createdAt: 1, profileName: "someone else" }));
      assert.deepEqual(second, { created: false, existing: conversation() });
    });

    it("reserve is atomic: of 10 concurrent reserves exactly one creates", async () => {
      const { conversations } = await make();
      const attempts = Array.from({ length: 10 }, (_, i) => conversation({ createdAt: 1_764_000_000_000 + i }));
      const results = await Promise.all(attempts.map((c) => conversations.reserve(c)));
      const winners = results.filter((r) => r.created);
      assert.equal(winners.length, 1);
      const stored = await conversations.get(contact());
      assert.ok(stored);
      for (const r of results) if (!r.created) assert.deepEqual(r.existing, stored);
      assert.equal(attempts.filter((a) => a.createdAt === stored.createdAt).length, 1);
    });

    it("activate marks the conversation active in its thread and indexes it by thread", async () => {
      const { conversations } = await make();
      await conversations.reserve(conversation());
      const active = await conversations.activate(contact(), place());
      const expected: Conversation = { ...conversation(), state: "active", ...place() };
      assert.deepEqual(active, expected);
      assert.deepEqual(await conversations.get(contact()), expected);
      assert.deepEqual(await conversations.findByThread(thread()), expected);
      assert.equal(await conversations.findByThread(thread("1700000000002")), undefined);
    });

    it("findByThread follows the conversation to its current thread only", async () => {
      const { conversations } = await make();
      await conversations.reserve(conversation());
      await conversations.activate(contact(), place("1700000000001"));
      await conversations.activate(contact(), place("1700000000002"));
      assert.equal(await conversations.findByThread(thread("1700000000001")), undefined);
      assert.equal((await conversations.findByThread(thread("1700000000002")))?.contact, contact());
    });

    it("an alias joins a thread without taking its index: findByThread keeps the owner at every step", async () => {
      const { conversations } = await make();
      await conversations.reserve(conversation());
      await conversations.activate(contact(), place());
      const alias = contact("15551230999");
      await conversations.reserve(conversation({ contact: alias }));
      assert.equal((await conversations.findByThread(thread()))?.contact, contact(), "while the alias is only reserved");
      await conversations.activate(alias, place(), { alias: true });
      assert.equal((await conversations.findByThread(thread()))?.contact, contact(), "after the alias joined");
      assert.equal((await conversations.get(alias))?.thread, thread());
    });

    it("activate and update throw a PermanentError for a missing conversation", async () => {
      const { conversations } = await make();
      await rejectsPermanent(conversations.activate(contact(), place()), "storage.conversation_missing");
      await rejectsPermanent(conversations.update(contact(), { profileName: "x" }), "storage.conversation_missing");
      assert.equal(await conversations.get(contact()), undefined);
      assert.equal(await conversations.findByThread(thread()), undefined);
    });

    it("update merges the given fields and leaves the others (undefined means 'not given')", async () => {
      const { conversations } = await make();
      await conversations.reserve(conversation());
      await conversations.activate(contact(), place());
      await conversations.update(contact(), { profileName: "Zoë 🎉", lastInboundAt: 1_764_000_009_000, username: undefined });
      await conversations.update(contact(), { userId: WaUserId("US.99"), phone: undefined });
      assert.deepEqual(await conversations.get(contact()), {
        ...conversation(),
        state: "active",
        ...place(),
        profileName: "Zoë 🎉",
        lastInboundAt: 1_764_000_009_000,
        userId: WaUserId("US.99"),
      });
    });

    it("keeps a group's details, a last outbound message with receipts, and when an earlier thread was lost", async () => {
      const { conversations } = await make();
      const key = groupKeyOf(BUSINESS, WaGroupId("Y2FwaV9ncm91cDoxNzA1NTU1MDEzOTo="));
      const group = {
        id: WaGroupId("Y2FwaV9ncm91cDoxNzA1NTU1MDEzOTo="),
        subject: "Smith family 🏠",
        participantCount: 3,
        inviteLink: "https://chat.whatsapp.com/AbC",
      };
      await conversations.reserve(conversation({ contact: key, group }));
      await conversations.activate(key, place());
      const lastOutbound = { wamid: WaMessageId("wamid.G1"), state: "delivered" as const, at: 1_764_000_100_000, excerpt: "hi all", delivered: 2, read: 1 };
      await conversations.update(key, { group: { ...group, suspended: true }, lastOutbound, earlierThreadGoneAt: 1_764_000_200_000 });
      assert.deepEqual(await conversations.get(key), {
        ...conversation({ contact: key, group: { ...group, suspended: true } }),
        state: "active",
        ...place(),
        lastOutbound,
        earlierThreadGoneAt: 1_764_000_200_000,
      });
    });

    it("release removes a reservation so it can be reserved again, but never an active conversation", async () => {
      const { conversations } = await make();
      await conversations.release(contact());
      await conversations.reserve(conversation());
      await conversations.release(contact());
      assert.equal(await conversations.get(contact()), undefined);
      assert.deepEqual(await conversations.reserve(conversation()), { created: true });
      await conversations.activate(contact(), place());
      await conversations.release(contact());
      assert.equal((await conversations.get(contact()))?.state, "active");
      assert.equal((await conversations.findByThread(thread()))?.state, "active");
    });

    it("keeps contacts apart, including keys with / \\ # ? % and unicode", async () => {
      const { conversations } = await make();
      const business = BusinessNumberId("106540352242922");
      const odd = contactKeyOf(business, { userId: WaUserId("US.a/b\\c#d?e%f😀") });
      const lookalike = contactKeyOf(business, { userId: WaUserId("US.a%2Fb%5Cc%23d%3Fe%25f😀") });
      const oddThread = threadRefOf(TeamsChannelId("19:x#y?z@thread.tacv2"), TeamsMessageId("1/2"));
      await conversations.reserve(conversation({ contact: odd }));
      await conversations.reserve(conversation({ contact: lookalike, profileName: "lookalike" }));
      await conversations.activate(odd, { channelId: TeamsChannelId("19:x#y?z@thread.tacv2"), thread: oddThread, rootMessageId: TeamsMessageId("1/2") });
      assert.equal((await conversations.get(odd))?.contact, odd);
      assert.equal((await conversations.get(lookalike))?.profileName, "lookalike");
      assert.equal((await conversations.findByThread(oddThread))?.contact, odd);
      assert.equal(await conversations.get(contact()), undefined);
    });

    it("hands out copies", async () => {
      const { conversations } = await make();
      const written = { ...conversation() } as { profileName?: string };
      await conversations.reserve(written as Conversation);
      written.profileName = "changed after reserve";
      const read = (await conversations.get(contact())) as { profileName?: string };
      read.profileName = "changed after get";
      const active = (await conversations.activate(contact(), place())) as { profileName?: string };
      active.profileName = "changed after activate";
      const found = (await conversations.findByThread(thread())) as { profileName?: string };
      found.profileName = "changed after find";
      assert.equal((await conversations.get(contact()))?.profileName, conversation().profileName);
    });
  });
}
