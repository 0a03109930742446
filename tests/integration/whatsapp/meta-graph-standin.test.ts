import assert from "node:assert/strict";
import { startMetaGraphStandin, type MetaGraphStandin } from "../../../tools/meta-graph-standin";

const TOKEN = "standin-token";

async function call(url: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: init.method ?? "GET",
    headers: { "content-type": "application/json", ...(init.token !== undefined ? { authorization: `Bearer ${init.token}` } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe("Meta Graph API stand-in", () => {
  let standin: MetaGraphStandin;
  before(async () => {
    standin = await startMetaGraphStandin({ accessToken: TOKEN });
  });
  after(async () => {
    await standin.close();
  });
  beforeEach(() => standin.reset());

  it("listens on 127.0.0.1 with the version in its base url", () => {
    assert.match(standin.url, /^http:\/\/127\.0\.0\.1:\d+\/v25\.0$/);
  });

  it("accepts a send in Meta's response shape and records it", async () => {
    const { status, json } = await call(`${standin.url}/123/messages`, {
      method: "POST",
      token: TOKEN,
      body: { messaging_product: "whatsapp", to: "+447700900123", type: "text", text: { body: "hi" } },
    });
    assert.equal(status, 200);
    assert.equal(json.messaging_product, "whatsapp");
    assert.deepEqual(json.contacts, [{ input: "+447700900123", wa_id: "447700900123" }]);
    const id = (json.messages as Array<{ id: string }>)[0]?.id;
    assert.match(id ?? "", /^wamid\./);
    assert.equal(standin.sent[0]?.wamid, id);
    assert.equal(standin.sent[0]?.phoneNumberId, "123");
  });

  it("answers 401 with the code-190 envelope without a valid Bearer token, keeping scripted failures", async () => {
    standin.failNext({ httpStatus: 400, error: { message: "(#131047) Re-engagement message", code: 131047 } });
    const { status, json } = await call(`${standin.url}/123/messages`, { method: "POST", body: { messaging_product: "whatsapp" } });
    assert.equal(status, 401);
    const error = json.error as Record<string, unknown>;
    assert.equal(error.code, 190);
    assert.equal(error.type, "OAuthException");
    assert.equal(typeof error.fbtrace_id, "string");
    const next = await call(`${standin.url}/123/messages`, {
      method: "POST",
      token: TOKEN,
      body: { messaging_product: "whatsapp", to: "1", text: { body: "x" } },
    });
    assert.equal((next.json.error as Record<string, unknown>).code, 131047);
  });

  it("refuses bodies Meta would refuse with code 100", async () => {
    for (const body of [
      { to: "1", text: { body: "x" } },
      { messaging_product: "whatsapp", text: { body: "x" } },
      { messaging_product: "whatsapp", to: "1", type: "text", text: { body: "" } },
    ]) {
      const { status, json } = await call(`${standin.url}/123/messages`, { method: "POST", token: TOKEN, body });
      assert.equal(status, 400);
      assert.equal((json.error as Record<string, unknown>).code, 100);
    }
  });

  it("answers mark-as-read with success", async () => {
    const { status, json } = await call(`${standin.url}/123/messages`, {
      method: "POST",
      token: TOKEN,
      body: { messaging_product: "whatsapp", status: "read", message_id: "wamid.X" },
    });
    assert.equal(status, 200);
    assert.deepEqual(json, { success: true });
  });

  it("answers unknown paths and versions like Graph (400, code 100)", async () => {
    for (const path of [`${standin.url}/123/media`, standin.url.replace("v25.0", "v1.0") + "/123/messages"]) {
      const { status, json } = await call(path, { token: TOKEN });
      assert.equal(status, 400);
      assert.equal((json.error as Record<string, unknown>).code, 100);
    }
  });

  it("pages phone numbers with cursors and honours fields", async () => {
    standin.phoneNumbers = [
      { id: "1", display_phone_number: "+1 1", verified_name: "A", quality_rating: "GREEN" },
      { id: "2", display_phone_number: "+1 2" },
      { id: "3", display_phone_number: "+1 3" },
    ];
    const first = await call(`${standin.url}/waba/phone_numbers?fields=display_phone_number&limit=2`, { token: TOKEN });
    assert.deepEqual(first.json.data, [
      { id: "1", display_phone_number: "+1 1" },
      { id: "2", display_phone_number: "+1 2" },
    ]);
    const next = (first.json.paging as { next?: string }).next;
    if (!next) assert.fail("a next page link");
    assert.ok(next.startsWith(standin.url));
    const second = await call(next, { token: TOKEN });
    assert.deepEqual(second.json.data, [{ id: "3", display_phone_number: "+1 3" }]);
    assert.equal((second.json.paging as { next?: string }).next, undefined);
  });

  it("waitForSends resolves when enough sends arrived and rejects on timeout", async () => {
    const waiting = standin.waitForSends(1, 1_000);
    await call(`${standin.url}/9/messages`, { method: "POST", token: TOKEN, body: { messaging_product: "whatsapp", to: "1", text: { body: "x" } } });
    assert.equal((await waiting).length, 1);
    await assert.rejects(standin.waitForSends(5, 50), /expected 5 sends/);
  });

  it("close() does not wait for a delayed answer", async () => {
    const other = await startMetaGraphStandin();
    other.delayNext(10_000);
    const pending = fetch(`${other.url}/1/messages`, {
      method: "POST",
      body: JSON.stringify({ messaging_product: "whatsapp", to: "1", text: { body: "x" } }),
    }).catch((err: unknown) => err);
    await other.waitForSends(1);
    const started = Date.now();
    await other.close();
    assert.ok(Date.now() - started < 1_000);
    assert.ok((await pending) instanceof Error, "the open request was cut");
  });
});
