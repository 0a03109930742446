import assert from "node:assert/strict";
import { connectorThrottleKeys, UNKNOWN_TENANT } from "../../../src/teams/connector-throttle-keys";

const SERVICE = "https://smba.trafficmanager.net/emea/";
const CHANNEL = "19:abc@thread.tacv2";
const THREAD = `${CHANNEL};messageid=1760000000000`;
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

describe("which Teams limits a Bot Connector request counts against (docs/protocols.md B13)", () => {
  it("creating a thread: the channel and the tenant", () => {
    const body = JSON.stringify({
      isGroup: true,
      channelData: { channel: { id: CHANNEL }, tenant: { id: TENANT } },
      activity: { type: "message" },
      tenantId: TENANT,
    });
    assert.deepEqual(connectorThrottleKeys({ url: `${SERVICE}v3/conversations`, method: "POST", body }), [`thread:${CHANNEL}`, `tenant:${TENANT}`]);
  });

  it("a post, a reply and an update in a thread: the thread (from the path, decoded) and the tenant", () => {
    const body = JSON.stringify({ type: "message", text: "hi", conversation: { id: THREAD, tenantId: TENANT } });
    const path = `${SERVICE}v3/conversations/${encodeURIComponent(THREAD)}/activities`;
    assert.deepEqual(connectorThrottleKeys({ url: path, method: "POST", body }), [`thread:${THREAD}`, `tenant:${TENANT}`]);
    assert.deepEqual(connectorThrottleKeys({ url: `${path}/1760000000001`, method: "POST", body }), [`thread:${THREAD}`, `tenant:${TENANT}`]);
    assert.deepEqual(connectorThrottleKeys({ url: `${path}/1760000000000`, method: "PUT", body }), [`thread:${THREAD}`, `tenant:${TENANT}`]);
  });

  it("a service URL without a path prefix, and the tenant named only in channelData", () => {
    const body = JSON.stringify({ type: "message", channelData: { tenant: { id: TENANT } } });
    assert.deepEqual(connectorThrottleKeys({ url: `http://127.0.0.1:3978/v3/conversations/${encodeURIComponent(THREAD)}/activities`, method: "POST", body }), [
      `thread:${THREAD}`,
      `tenant:${TENANT}`,
    ]);
  });

  it("other requests count against the tenant only; a request naming no tenant shares one unknown-tenant budget", () => {
    assert.deepEqual(connectorThrottleKeys({ url: `${SERVICE}v3/conversations/${encodeURIComponent(THREAD)}/members`, method: "GET" }), [UNKNOWN_TENANT]);
    assert.deepEqual(connectorThrottleKeys({ url: `${SERVICE}v3/conversations/${encodeURIComponent(THREAD)}/activities/1`, method: "DELETE" }), [
      UNKNOWN_TENANT,
    ]);
    assert.deepEqual(connectorThrottleKeys({ url: `${SERVICE}v3/conversations/${encodeURIComponent(THREAD)}/activities`, method: "POST", body: "not json" }), [
      `thread:${THREAD}`,
      UNKNOWN_TENANT,
    ]);
  });
});
