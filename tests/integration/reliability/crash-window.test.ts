import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TeamsGroupId, WaMessageId } from "../../../src/core/ids";
import { startEmbeddedAzurite, type EmbeddedAzurite } from "../../../src/storage/azurite/embedded-azurite";
import { findFreePort } from "../../../src/storage/azurite/free-port";
import { createTableStores, type TableStores } from "../../../src/storage/table/table-stores";
import { postMarker } from "../../../src/teams/post-marker";
import { startBotConnectorStandin, type BotConnectorStandin } from "../../../tools/bot-connector-standin";
import { startMetaGraphStandin } from "../../../tools/meta-graph-standin";
import type { MetaGraphStandin } from "../../../tools/meta-graph-standin/standin-types";
import { signedWebhook, textMessage, webhookEnvelope } from "../../../tools/sign-webhook";
import { CHANNEL_ID, TENANT_ID } from "../../support/bridge-harness";
import { CaptureLogger } from "../../support/capture-logger";
import { startTokenIssuer, type TokenIssuer } from "../../support/token-issuer";
import { BridgeChild, childEnv } from "./bridge-child";
import { BUSINESS, channelLink, waitUntil } from "./reliability-kit";

const SECRET = "crash-window-secret";
const TOKEN = "crash-window-token";
const LEASE_SECONDS = 15;
const APP_ID = "5e8a1c7d-4f10-4a51-9c3e-0b1f2a3c4d5e";
const GROUP = "fbe2bf47-16c8-47cf-b4a5-4b9b187c508b";
const T0 = Math.floor(Date.now() / 1000) - 600;

/** A JWT's `aud`, read without verifying (the stand-in checks what the bridge asked its identity for). */
function audienceOf(header: string | undefined): string | undefined {
  const payload = (header ?? "").replace(/^Bearer /, "").split(".")[1] ?? "";
  try {
    return (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { aud?: string }).aud;
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/**
 * The crash window of docs/reliability.md, "The crash window" with real processes: the bridge (`node dist/src/index.js`)
 * is killed (-9) while posts are in flight, and the next one reads each cut-short thread back through the
 * Graph replies endpoint of the Bot Connector stand-in before posting again. The Graph token comes from
 * the bot's managed identity (a local issuer).
 */
describe("a post cut short by a crash is looked up in its thread before it is posted again", function () {
  this.timeout(150_000);
  let azurite: EmbeddedAzurite;
  let graph: MetaGraphStandin;
  let connector: BotConnectorStandin;
  let issuer: TokenIssuer;
  let stores: TableStores;
  let cwd: string;
  const children: BridgeChild[] = [];
  let sequence = 0;

  const env = (): Record<string, string> =>
    childEnv(
      {
        secret: SECRET,
        token: TOKEN,
        metaGraphUrl: graph.url,
        storageConnectionString: azurite.connectionString,
        connectorHost: connector.host,
        cwd,
        leaseSeconds: LEASE_SECONDS,
      },
      {
        // The bot's identity: what the thread check gets its Graph token with. A managed identity refuses
        // BOT_AUTH_DISABLED, so bot auth is on (this test sends no Teams activity).
        BOT_AUTH_DISABLED: "false",
        ...issuer.authConfig({ appId: APP_ID, tenantId: TENANT_ID }),
        ...issuer.managedIdentityEnv(),
        MS_GRAPH_URL: connector.msGraphUrl,
        INBOUND_REORDER_MS: "0",
      },
    );

  async function launch(name: string): Promise<BridgeChild> {
    const child = new BridgeChild(name, await findFreePort("127.0.0.1"), env(), cwd);
    children.push(child);
    await child.ready();
    await waitUntil(() => child.seen("bridge.leadership.acquired") !== undefined, `${name} leads:\n${child.tail()}`, LEASE_SECONDS * 1000 + 15_000);
    return child;
  }

  async function kill(child: BridgeChild): Promise<void> {
    child.signal("SIGKILL");
    await child.exited;
  }

  /** Sends customer `contact`'s message `text`; returns its wamid. */
  async function deliver(to: BridgeChild, contact: number, text: string): Promise<string> {
    const id = `wamid.crash.${contact}.${++sequence}`;
    const from = { phone: `55119876${String(contact).padStart(5, "0")}`, name: `Customer ${contact}` };
    const signed = signedWebhook(webhookEnvelope(textMessage({ from, text, id, timestamp: T0 + sequence })), SECRET);
    const res = await fetch(`${to.url}/api/whatsapp/webhook`, { method: "POST", headers: signed.headers, body: new Uint8Array(signed.body) });
    await res.arrayBuffer();
    assert.equal(res.status, 200);
    return id;
  }

  const textsOf = () => connector.posts.map((p) => (typeof p.activity.text === "string" ? p.activity.text : ""));
  const copiesOf = (text: string) => textsOf().filter((t) => t.includes(`<p>${text}</p>`)).length;
  /** Posts flagged as possible duplicates of `wamid`: the second copy carries the flag beside its reference. */
  const flagsFor = (wamid: string) => textsOf().filter((t) => t.includes("may appear twice") && t.includes(`ref ${postMarker(wamid)}`)).length;
  const entry = (wamid: string) => stores.inbox.get(BUSINESS, `msg:${wamid}`);
  const isDone = async (wamid: string) => (await entry(wamid))?.state === "done";

  before(async () => {
    cwd = mkdtempSync(join(tmpdir(), "bridge-crash-window-"));
    [azurite, graph, connector, issuer] = await Promise.all([
      startEmbeddedAzurite({ logger: new CaptureLogger() }),
      startMetaGraphStandin({ accessToken: TOKEN }),
      startBotConnectorStandin({ graph: { authorize: (header) => audienceOf(header) === "https://graph.microsoft.com" } }),
      startTokenIssuer(),
    ]);
    connector.msGraph.addTeam(GROUP, [CHANNEL_ID]);
    stores = await createTableStores({ connectionString: azurite.connectionString });
    // What `link` stores when Teams sends the team's group id (channelData.team.aadGroupId).
    await stores.links.put({ ...channelLink(connector.serviceUrl), teamGroupId: TeamsGroupId(GROUP) });
  });

  after(async () => {
    for (const child of children) if (child.running) child.signal("SIGKILL");
    await Promise.all(children.map((c) => c.exited));
    await Promise.all([graph?.close(), connector?.close(), azurite?.stop(), issuer?.close()]);
    rmSync(cwd, { recursive: true, force: true });
  });

  it("post already in the thread: not posted again, not flagged; post that never arrived: posted once, not flagged", async () => {
    const a = await launch("A");
    assert.equal(a.seen("teams.thread_check")?.fields.enabled, true, "the check is on: the bot has a Graph identity");
    // Both contacts' threads exist before the crash (thread creation is another window).
    const opening = [await deliver(a, 1, "hello from one"), await deliver(a, 2, "hello from two")];
    await waitUntil(async () => (await Promise.all(opening.map(isDone))).every(Boolean), `threads started:\n${a.tail()}`);

    // Contact 2: Teams answers 503 asking to come back in 20 s; the bridge waits with the entry `posting`.
    const requestsBefore = connector.requests.length;
    connector.failNext(503, { error: { code: "ServiceUnavailable", message: "busy" } }, { "retry-after": "20" });
    const notReached = await deliver(a, 2, "two never arrived");
    await waitUntil(() => connector.requests.slice(requestsBefore).some((r) => r.status === 503), "contact 2's post refused for now");
    // Contact 1: Teams keeps the post but answers only after a minute; the bridge is killed meanwhile.
    connector.setFaults({ latencyRate: 1, latencyMs: 60_000 });
    const reached = await deliver(a, 1, "one did arrive");
    await waitUntil(() => copiesOf("one did arrive") === 1, "contact 1's post accepted by Teams");
    await kill(a);
    connector.setFaults(undefined);
    assert.equal((await entry(reached))?.state, "posting");
    assert.equal((await entry(notReached))?.state, "posting");
    assert.equal(copiesOf("two never arrived"), 0);

    const b = await launch("B");
    await waitUntil(async () => (await isDone(reached)) && (await isDone(notReached)), `both resumed:\n${b.tail()}`, 30_000);
    assert.equal(copiesOf("one did arrive"), 1, "the post found in the thread was not made again");
    assert.equal(copiesOf("two never arrived"), 1, "the missing post was made once");
    assert.equal(flagsFor(reached) + flagsFor(notReached), 0, "nothing flagged");
    assert.equal((await entry(reached))?.detail, undefined);
    assert.equal((await entry(notReached))?.detail, undefined);
    const kept = connector.posts.find((p) => typeof p.activity.text === "string" && p.activity.text.includes("one did arrive"))!;
    assert.equal((await stores.messages.byWamid(BUSINESS, WaMessageId(reached)))?.teamsMessageId, kept.id, "the post found is recorded as the message's post");
    assert.ok(String(kept.activity.text).includes(`ref ${postMarker(reached)}`), "the post shows its reference");
    const reads = connector.msGraph.requests;
    assert.ok(
      reads.length >= 2 && reads.every((r) => r.authorized && r.status === 200),
      `Graph read with the managed identity's token: ${JSON.stringify(reads)}`,
    );
    assert.deepEqual(
      b.lines
        .filter((l) => l.event === "teams.post.recovery")
        .map((l) => l.fields.outcome)
        .sort(),
      ["absent", "found"],
    );
    await kill(b);
  });

  it("Graph unavailable after the crash: posted again once, and flagged", async () => {
    // The lease of the previous test's killed instance must lapse: launch waits for it.
    const c = await launch("C");
    connector.setFaults({ latencyRate: 1, latencyMs: 60_000 });
    const cut = await deliver(c, 1, "one cut again");
    await waitUntil(() => copiesOf("one cut again") === 1, "the post accepted by Teams");
    await kill(c);
    connector.setFaults(undefined);
    connector.msGraph.setFailure(503);
    const d = await launch("D");
    await waitUntil(() => isDone(cut), `resumed:\n${d.tail()}`, 30_000);
    await waitUntil(() => flagsFor(cut) === 1, "the duplicate flagged in the thread", 10_000);
    assert.equal(copiesOf("one cut again"), 2, "posted again: nothing lost");
    assert.equal((await entry(cut))?.duplicateSuspected, true);
    assert.equal(d.lines.find((l) => l.event === "teams.post.recovery")?.fields.outcome, "unknown");
    connector.msGraph.setFailure(undefined);
  });
});
