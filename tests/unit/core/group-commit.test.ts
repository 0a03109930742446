import assert from "node:assert/strict";
import { GroupCommit } from "../../../src/core/group-commit";

/** A commit function that records each batch and is released by the test. */
function gatedCommit() {
  const batches: number[][] = [];
  const gates: Array<() => void> = [];
  const commit = async (items: readonly number[]) => {
    batches.push([...items]);
    await new Promise<void>((release) => gates.push(release));
    return items.map((n) => (n < 0 ? new Error(`bad ${n}`) : n * 10));
  };
  const releaseAll = () => gates.splice(0).forEach((release) => release());
  return { batches, commit, releaseAll };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
/** A few turns of the event loop: enough for every flush that is due to start. */
const turns = async () => {
  for (let i = 0; i < 5; i++) await tick();
};

describe("GroupCommit", () => {
  it("writes what is submitted in one turn as one batch, and each caller gets its own outcome", async () => {
    const g = gatedCommit();
    const commits = new GroupCommit(g.commit, { maxItems: 100, maxBytes: 1_000, sizeOf: () => 1, maxInFlight: 2 });
    const results = [1, 2, -3, 4].map((n) =>
      commits.submit(n).then(
        (v) => v,
        (e: Error) => e.message,
      ),
    );
    await tick();
    assert.deepEqual(g.batches, [[1, 2, -3, 4]]);
    g.releaseAll();
    assert.deepEqual(await Promise.all(results), [10, 20, "bad -3", 40]);
  });

  it("items arriving while every slot is busy wait and go together in the next batch", async () => {
    const g = gatedCommit();
    const commits = new GroupCommit(g.commit, { maxItems: 100, maxBytes: 1_000, sizeOf: () => 1, maxInFlight: 1 });
    const first = commits.submit(1);
    await tick();
    const later = [2, 3, 4].map((n) => commits.submit(n));
    await tick();
    assert.deepEqual(g.batches, [[1]], "the second batch waits for the slot");
    assert.equal(commits.waiting, 3);
    g.releaseAll();
    assert.equal(await first, 10);
    await turns();
    assert.deepEqual(g.batches, [[1], [2, 3, 4]]);
    g.releaseAll();
    assert.deepEqual(await Promise.all(later), [20, 30, 40]);
  });

  it("splits by item count and by bytes; an item larger than the byte limit still goes, alone", async () => {
    const g = gatedCommit();
    const commits = new GroupCommit(g.commit, { maxItems: 3, maxBytes: 10, sizeOf: (n: number) => n, maxInFlight: 10 });
    const all = [1, 1, 1, 1, 4, 4, 4, 50, 2].map((n) => commits.submit(n));
    await turns();
    assert.deepEqual(g.batches, [[1, 1, 1], [1, 4, 4], [4], [50], [2]]);
    g.releaseAll();
    assert.equal((await Promise.all(all)).length, 9);
  });

  it("a batch that fails as a whole fails every item in it, and the next batch is unaffected", async () => {
    let calls = 0;
    const commits = new GroupCommit(
      async (items: readonly string[]) => {
        calls++;
        if (calls === 1) throw new Error("storage down");
        return items.map((s) => s.toUpperCase());
      },
      { maxItems: 10, maxBytes: 100, sizeOf: () => 1, maxInFlight: 1 },
    );
    const failed = await Promise.allSettled([commits.submit("a"), commits.submit("b")]);
    assert.deepEqual(
      failed.map((r) => r.status === "rejected" && (r.reason as Error).message),
      ["storage down", "storage down"],
    );
    assert.equal(await commits.submit("c"), "C");
  });
});
