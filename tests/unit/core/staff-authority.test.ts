import assert from "node:assert/strict";
import { BoundedCache } from "../../../src/core/bounded-cache";
import { AadObjectId, TenantId } from "../../../src/core/ids";
import { judgeMember, listedByName } from "../../../src/core/rules/staff-authority";

const ANA = AadObjectId("6b2e1c1a-3d4e-4f50-9a1b-2c3d4e5f6a7b");
const FIRM = TenantId("72f988bf-86f1-41af-91ab-2d7cd011db47");

describe("who may speak for the firm (rules/staff-authority.ts)", () => {
  it("admits a member of the team's tenant with the role user, whatever the case of the ids", () => {
    assert.deepEqual(judgeMember({ aadObjectId: AadObjectId(ANA.toUpperCase()), tenantId: TenantId(FIRM.toUpperCase()), userRole: "User" }, ANA, FIRM), {
      allowed: true,
      aadObjectId: ANA,
    });
  });

  it("reads a missing role as a member's (older rosters omit it) but never a missing entry", () => {
    assert.equal(judgeMember({ aadObjectId: ANA, tenantId: FIRM }, ANA, FIRM).allowed, true);
    assert.deepEqual(judgeMember(undefined, ANA, FIRM), { allowed: false, why: "not-member" });
  });

  it("refuses guests, anonymous people and roles it does not know, other tenants, and entries of someone else", () => {
    assert.deepEqual(judgeMember({ aadObjectId: ANA, tenantId: FIRM, userRole: "guest" }, ANA, FIRM), { allowed: false, why: "guest" });
    assert.deepEqual(judgeMember({ tenantId: FIRM, userRole: "anonymous" }, ANA, FIRM), { allowed: false, why: "guest" });
    assert.deepEqual(judgeMember({ aadObjectId: ANA, tenantId: FIRM, userRole: "bot" }, ANA, FIRM), { allowed: false, why: "guest" });
    assert.deepEqual(judgeMember({ aadObjectId: ANA, tenantId: TenantId("e3a1c2d4-0000-4000-8000-0000000000ff"), userRole: "user" }, ANA, FIRM), {
      allowed: false,
      why: "external",
    });
    assert.deepEqual(judgeMember({ aadObjectId: AadObjectId("00000000-0000-4000-8000-0000000000aa"), tenantId: FIRM, userRole: "user" }, ANA, FIRM), {
      allowed: false,
      why: "not-member",
    });
  });

  it("finds a person in BRIDGE_STAFF's list whatever the case", () => {
    assert.equal(listedByName({ people: new Set([AadObjectId(ANA.toUpperCase())]) }, ANA), true);
    assert.equal(listedByName({ people: new Set() }, ANA), false);
  });
});

describe("BoundedCache", () => {
  it("never holds more than its capacity, dropping the least recently used", () => {
    const now = 0;
    const cache = new BoundedCache<number>({ capacity: 3, ttlMs: 1_000, now: () => now });
    for (let i = 0; i < 1_000; i++) cache.set(`caller-${i}`, i);
    assert.equal(cache.size, 3);
    assert.equal(cache.get("caller-996"), undefined);
    assert.equal(cache.get("caller-997"), 997);
    cache.set("new", 1);
    assert.equal(cache.get("caller-998"), undefined, "the least recently used went first");
    assert.equal(cache.get("caller-997"), 997);
  });

  it("forgets an answer once it is older than its time to live", () => {
    let now = 0;
    const cache = new BoundedCache<string>({ capacity: 10, ttlMs: 300_000, now: () => now });
    cache.set("ana", "member");
    now = 299_999;
    assert.equal(cache.get("ana"), "member");
    now = 300_000;
    assert.equal(cache.get("ana"), undefined);
    assert.equal(cache.size, 0);
  });
});
