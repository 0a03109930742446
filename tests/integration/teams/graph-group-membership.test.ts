import assert from "node:assert/strict";
import { PermanentError, TransientError } from "../../../src/core/errors";
import { AadObjectId, EntraGroupId } from "../../../src/core/ids";
import { GraphGroupMembership } from "../../../src/teams/graph-group-membership";
import { startMicrosoftGraphStandin, type MicrosoftGraphStandin } from "../../../tools/microsoft-graph-standin";

const TOKEN = "graph-app-token";
const ADVISERS = EntraGroupId("0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6");
const ANA = AadObjectId("6b2e1c1a-3d4e-4f50-9a1b-2c3d4e5f6a7b");
const BEN = AadObjectId("7c3f2d2b-4e5f-4a61-8b2c-3d4e5f6a7b8c");

describe("BRIDGE_STAFF's group through Microsoft Graph checkMemberGroups (against a local Graph stand-in)", () => {
  let graph: MicrosoftGraphStandin;
  before(async () => {
    graph = await startMicrosoftGraphStandin({ drives: [], accessToken: TOKEN, groupMembers: { [ADVISERS]: [ANA] } });
  });
  after(async () => graph.close());

  it("says who is in the group, asking with the app token for that one group", async () => {
    const groups = new GraphGroupMembership({ msGraphUrl: graph.url, token: async () => TOKEN });
    assert.equal(await groups.inGroup(ADVISERS, ANA), true);
    assert.equal(await groups.inGroup(ADVISERS, BEN), false);
    const asked = graph.requests.filter((r) => r.path.endsWith("/checkMemberGroups"));
    assert.deepEqual(
      asked.map((r) => [r.method, r.path, r.authorized]),
      [
        ["POST", `/v1.0/users/${ANA}/checkMemberGroups`, true],
        ["POST", `/v1.0/users/${BEN}/checkMemberGroups`, true],
      ],
    );
  });

  it("throws when Graph cannot answer, so the gate refuses: refused token permanent, outage transient", async () => {
    const wrongToken = new GraphGroupMembership({ msGraphUrl: graph.url, token: async () => "not-the-token" });
    const refused = await wrongToken.inGroup(ADVISERS, ANA).catch((e: unknown) => e);
    assert.ok(refused instanceof PermanentError);
    assert.match(refused.message, /HTTP 401/);
    graph.failNext(503);
    const busy = await new GraphGroupMembership({ msGraphUrl: graph.url, token: async () => TOKEN }).inGroup(ADVISERS, ANA).catch((e: unknown) => e);
    assert.ok(busy instanceof TransientError);
  });
});
