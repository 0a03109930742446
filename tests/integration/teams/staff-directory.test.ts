import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PermanentError, TeamsRefusal, TransientError } from "../../../src/core/errors";
import { AadObjectId, TeamsChannelId, TeamsTeamId, TeamsUserId, TenantId } from "../../../src/core/ids";
import type { ChannelAddress } from "../../../src/core/model";
import type { StaffAuthor } from "../../../src/core/staff-message";
import { botbuilderAuthConfig, createBridgeAdapter } from "../../../src/teams/teams-adapter";
import { TeamsStaffDirectory, type TeamsStaffDirectoryOptions } from "../../../src/teams/teams-staff-directory";
import { CaptureLogger } from "../../support/capture-logger";
import { APP_ID, CHANNEL, TeamsWorld, TENANT } from "./teams-test-kit";

const TEAM = "19:team-general@thread.tacv2";
const GROUP = "6b2f4d8a-1c3e-4f5a-8b7c-9d0e1f2a3b41";
const ANA = "6b2e1c1a-3d4e-4f50-9a1b-2c3d4e5f6a7b";
const GUS = "9a9a9a9a-0000-4000-8000-00000000a057";
const author = (aad: string): StaffAuthor => ({ aadObjectId: AadObjectId(aad), id: TeamsUserId(`29:${aad}`), name: "Someone" });

describe("TeamsStaffDirectory: rosters, channels and groups through TeamsInfo (Bot Connector stand-in, real auth)", () => {
  let world: TeamsWorld;
  let channel: ChannelAddress;
  let now = 0;
  const directory = (options: Partial<TeamsStaffDirectoryOptions> = {}, hosts = [world.standin.host]) =>
    new TeamsStaffDirectory({
      adapter: createBridgeAdapter({
        config: botbuilderAuthConfig(world.issuer.authConfig({ appId: APP_ID, tenantId: TENANT }), false),
        guard: { serviceUrlHosts: hosts, requestTimeoutMs: 10_000 },
      }),
      botAppId: APP_ID,
      serviceUrlHosts: hosts,
      logger: new CaptureLogger(),
      now: () => now,
      ...options,
    });
  const memberReads = () => world.standin.roster.reads.filter((r) => r.route === "member");

  before(async () => {
    world = await TeamsWorld.start();
    world.standin.roster.addTeam({
      id: TEAM,
      name: "Support",
      aadGroupId: GROUP,
      channels: [
        { id: CHANNEL, name: "WhatsApp", type: "standard" },
        { id: "19:deals@thread.tacv2", name: "Deals", type: "private" },
      ],
    });
    world.standin.roster.addMember(TEAM, { id: `29:${ANA}`, aadObjectId: ANA, name: "Ana Staff", tenantId: TENANT, userRole: "user" });
    world.standin.roster.addMember(TEAM, { id: `29:${GUS}`, aadObjectId: GUS, name: "Gus Guest", tenantId: TENANT, userRole: "guest" });
    channel = { channelId: TeamsChannelId(CHANNEL), tenantId: TenantId(TENANT), serviceUrl: world.standin.serviceUrl, teamId: TeamsTeamId(TEAM) };
  });
  after(async () => {
    await world.close();
  });
  beforeEach(() => {
    world.resetBetweenTests();
    world.standin.roster.reads.length = 0;
    world.standin.roster.outage = false;
  });

  it("reads a member from the team's roster with the bot's token: object id (Teams' objectId), tenant and role", async () => {
    const staff = directory();
    assert.deepEqual(await staff.member(channel, author(ANA)), { aadObjectId: ANA, tenantId: TENANT, userRole: "user" });
    assert.deepEqual(await staff.member(channel, author(GUS)), { aadObjectId: GUS, tenantId: TENANT, userRole: "guest" });
    const request = world.standin.requests.find((r) => r.path === `/v3/conversations/${encodeURIComponent(TEAM)}/members/${encodeURIComponent(`29:${ANA}`)}`);
    assert.ok(request, "GET /v3/conversations/{team}/members/{Teams user id}");
    assert.ok(await world.issuer.isConnectorToken(request.authorization), "with the bot's token");
  });

  it("answers undefined for someone the roster does not have (404 MemberNotFoundInConversation)", async () => {
    assert.equal(await directory().member(channel, author("0b0b0b0b-0000-4000-8000-00000000000b")), undefined);
    assert.deepEqual(
      memberReads().map((r) => r.status),
      [404],
    );
  });

  it("reuses an answer for 5 minutes (members and non-members alike), then asks again", async () => {
    now = 1_000_000;
    const staff = directory();
    await staff.member(channel, author(ANA));
    await staff.member(channel, author("0b0b0b0b-0000-4000-8000-00000000000b"));
    now += 4 * 60_000;
    await staff.member(channel, author(ANA));
    await staff.member(channel, author("0b0b0b0b-0000-4000-8000-00000000000b"));
    assert.equal(memberReads().length, 2, "answered from the cache");
    now += 60_000;
    await staff.member(channel, author(ANA));
    assert.equal(memberReads().length, 3, "asked again after 5 minutes");
  });

  it("keeps at most its capacity of answers, however many people ask", async () => {
    const staff = directory({ cacheCapacity: 2 });
    for (const aad of [ANA, GUS, "0b0b0b0b-0000-4000-8000-00000000000b"]) await staff.member(channel, author(aad));
    await staff.member(channel, author(ANA));
    assert.equal(memberReads().length, 4, "the oldest answer was dropped");
  });

  it("throws when Teams cannot answer, and never caches the failure", async () => {
    const staff = directory();
    world.standin.roster.outage = true;
    assert.ok((await staff.member(channel, author(ANA)).catch((e: unknown) => e)) instanceof TransientError);
    world.standin.roster.outage = false;
    assert.equal((await staff.member(channel, author(ANA)))?.userRole, "user");
    world.standin.teams.setAppRemoved([TEAM], true);
    try {
      assert.ok(
        (await directory()
          .member(channel, author(GUS))
          .catch((e: unknown) => e)) instanceof TeamsRefusal,
        "403 BotNotInConversationRoster",
      );
    } finally {
      world.standin.teams.setAppRemoved([TEAM], false);
    }
  });

  it("gives up on a roster that does not answer in time", async () => {
    const silent: Server = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const host = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const staff = directory({ rosterTimeoutMs: 300 }, [host]);
      const started = Date.now();
      const err = await staff.member({ ...channel, serviceUrl: `http://${host}/` }, author(ANA)).catch((e: unknown) => e);
      assert.ok(err instanceof TransientError);
      assert.equal(err.code, "teams.read_timeout");
      assert.ok(Date.now() - started < 3_000);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it("describes a channel from the team's channel list and details: its kind and the team's group", async () => {
    const staff = directory();
    assert.deepEqual(await staff.describeChannel(channel), { kind: "standard", teamGroupId: GROUP });
    assert.deepEqual(await staff.describeChannel({ ...channel, channelId: TeamsChannelId("19:deals@thread.tacv2") }), { kind: "private", teamGroupId: GROUP });
    assert.deepEqual(await staff.describeChannel({ ...channel, channelId: TeamsChannelId("19:shared-in@thread.tacv2") }), {
      kind: "not-listed",
      teamGroupId: GROUP,
    });
    assert.deepEqual(world.standin.roster.reads.map((r) => r.route).sort(), ["channels", "channels", "channels", "team", "team", "team"]);
    const noTeam = await staff.describeChannel({ ...channel, teamId: undefined as never }).catch((e: unknown) => e);
    assert.ok(noTeam instanceof PermanentError);
    // TeamsInfo's client for team reads retries a 503 itself; the bound ends the wait either way.
    world.standin.roster.outage = true;
    assert.ok(
      (await directory({ describeTimeoutMs: 1_000 })
        .describeChannel(channel)
        .catch((e: unknown) => e)) instanceof TransientError,
    );
  });

  it("cannot check a group without Graph, and says so by throwing", async () => {
    const err = await directory()
      .inGroup("0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6" as never, AadObjectId(ANA))
      .catch((e: unknown) => e);
    assert.ok(err instanceof PermanentError);
    assert.equal(err.code, "teams.staff_group_unavailable");
  });
});
