import assert from "node:assert/strict";
import { startBotConnectorStandin, type BotConnectorStandin } from "../../../tools/bot-connector-standin";
import { seededRandom } from "../../../tools/chaos/seeded-random";
import { startMetaGraphStandin, type MetaGraphStandin } from "../../../tools/meta-graph-standin";

const CHANNEL = "19:chaos@thread.tacv2";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

async function post(standin: BotConnectorStandin, thread: string, text = "hi"): Promise<Response> {
  return fetch(`${standin.serviceUrl}v3/conversations/${encodeURIComponent(thread)}/activities`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "message", text, conversation: { id: thread, tenantId: TENANT } }),
  });
}

describe("the Bot Connector stand-in misbehaves like Teams when asked (chaos)", () => {
  let standin: BotConnectorStandin;
  afterEach(async () => {
    await standin?.close();
  });

  it("enforces 7 posts per second per thread: the 8th gets 429 Throttled with Retry-After, and is not acted on", async () => {
    standin = await startBotConnectorStandin({ limits: {} });
    const thread = `${CHANNEL};messageid=1760000000000`;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await post(standin, thread)).status);
    assert.deepEqual(statuses, [201, 201, 201, 201, 201, 201, 201, 429]);
    const refused = await post(standin, thread);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get("retry-after"), "1");
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, "Throttled");
    assert.equal(standin.posts.length, 7, "refused posts are not recorded as posts");
    // Another thread of the same tenant still has room.
    assert.equal((await post(standin, `${CHANNEL};messageid=1760000000001`)).status, 201);
    assert.equal(standin.counters.throttle.throttledThread, 2);
  });

  it("enforces the per-tenant limit across threads, and counts thread creation against the channel", async () => {
    standin = await startBotConnectorStandin({ limits: { tenantPerSecond: 3 } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(standin, `${CHANNEL};messageid=${1760000000100 + i}`)).status);
    assert.deepEqual(statuses, [201, 201, 201, 429]);
    assert.equal(standin.counters.throttle.throttledTenant, 1);
    standin.setLimits({ tenantPerSecond: 100 });
    const create = () =>
      fetch(`${standin.serviceUrl}v3/conversations`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ isGroup: true, channelData: { channel: { id: CHANNEL }, tenant: { id: TENANT } }, activity: { type: "message" } }),
      }).then((r) => r.status);
    const creates: number[] = [];
    for (let i = 0; i < 8; i++) creates.push(await create());
    assert.deepEqual(creates, [201, 201, 201, 201, 201, 201, 201, 429]);
  });

  it("injects transient errors (412/500/502/503/504) at the asked rate, and latency, with counters", async () => {
    standin = await startBotConnectorStandin({ faults: { errorRate: 0.3, latencyRate: 0.2, latencyMs: 30, random: seededRandom(7) } });
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await post(standin, `${CHANNEL};messageid=${1760000000200 + (i % 10)}`)).status);
    const failed = statuses.filter((s) => s !== 201);
    assert.ok(failed.length >= 15 && failed.length <= 45, `about 30% failed (${failed.length})`);
    assert.ok(failed.every((s) => [412, 500, 502, 503, 504].includes(s)));
    assert.equal(standin.counters.injectedErrors, failed.length);
    assert.equal(standin.posts.length, 100 - failed.length, "a failed request is not acted on");
    assert.ok(standin.counters.faults.delayed > 5 && standin.counters.faults.delayedMs === standin.counters.faults.delayed * 30);
    standin.setFaults(undefined);
    assert.equal((await post(standin, `${CHANNEL};messageid=1760000000300`)).status, 201);
  });
});

describe("the Meta Graph API stand-in injects Meta's throttling and failures when asked (chaos)", () => {
  let graph: MetaGraphStandin;
  afterEach(async () => {
    await graph?.close();
  });

  it("answers a share of sends with 130429, 131056 or a 500, in Meta's envelope, with counters", async () => {
    graph = await startMetaGraphStandin({ sendFaults: { errorRate: 0.5, random: seededRandom(3) } });
    const codes: number[] = [];
    for (let i = 0; i < 60; i++) {
      const res = await fetch(`${graph.url}/106540352242922/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ messaging_product: "whatsapp", to: "5511987654321", type: "text", text: { body: `hi ${i}` } }),
      });
      const body = (await res.json()) as { error?: { code: number } };
      if (res.status !== 200) {
        codes.push(body.error!.code);
        assert.equal(res.status, body.error!.code === 131000 ? 500 : 400);
      }
    }
    assert.ok(codes.length >= 18 && codes.length <= 42, `about half failed (${codes.length})`);
    assert.deepEqual([...new Set(codes)].sort(), [130429, 131000, 131056]);
    const counted = graph.sendFaultCounters.errors;
    assert.equal((counted[130429] ?? 0) + (counted[131056] ?? 0) + (counted[500] ?? 0), codes.length);
    assert.equal(graph.sent.filter((s) => s.status === 200).length, 60 - codes.length);
  });

  it("delays a share of sends", async () => {
    graph = await startMetaGraphStandin({ sendFaults: { latencyRate: 1, latencyMs: 120 } });
    const started = Date.now();
    const res = await fetch(`${graph.url}/106540352242922/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messaging_product: "whatsapp", to: "5511987654321", type: "text", text: { body: "slow" } }),
    });
    assert.equal(res.status, 200);
    assert.ok(Date.now() - started >= 110);
    assert.equal(graph.sendFaultCounters.delayed, 1);
  });
});
