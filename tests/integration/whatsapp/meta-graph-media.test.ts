import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { startMetaGraphStandin, type MetaGraphStandin } from "../../../tools/meta-graph-standin";

const TOKEN = "media-token";
const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");

const auth = { authorization: `Bearer ${TOKEN}` };

async function getJson(url: string, headers: Record<string, string> = auth): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, { headers });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe("Meta Graph API stand-in: media (docs/protocols.md A12)", () => {
  let standin: MetaGraphStandin;
  before(async () => {
    standin = await startMetaGraphStandin({ accessToken: TOKEN });
  });
  after(async () => {
    await standin.close();
  });

  it("answers GET /{media-id} with Meta's fields and a URL that serves the bytes with the token only", async () => {
    const media = standin.addMedia({ bytes: PNG, mimeType: "image/png", phoneNumberId: "106540352242922" });
    assert.match(media.id, /^\d+$/);
    const { status, json } = await getJson(`${standin.url}/${media.id}`);
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(json).sort(), ["file_size", "id", "messaging_product", "mime_type", "sha256", "url"]);
    assert.equal(json.messaging_product, "whatsapp");
    assert.equal(json.mime_type, "image/png");
    assert.equal(json.file_size, String(PNG.length), "file_size is a string, as Meta sends it");
    assert.equal(json.sha256, createHash("sha256").update(PNG).digest("hex"));
    assert.equal(json.id, media.id);
    const url = new URL(String(json.url));
    assert.equal(url.host, new URL(standin.origin).host);
    assert.equal(url.pathname, "/whatsapp_business/attachments/");
    assert.equal(url.searchParams.get("mid"), media.id);

    const download = await fetch(url, { headers: auth });
    assert.equal(download.status, 200);
    assert.equal(download.headers.get("content-type"), "image/png");
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), PNG);

    const anonymous = await getJson(url.toString(), {});
    assert.equal(anonymous.status, 401);
    assert.equal((anonymous.json.error as Record<string, unknown>).code, 190);
  });

  it("refuses GET /{media-id} without the token, and with a phone_number_id the media does not belong to", async () => {
    const media = standin.addMedia({ bytes: PNG, mimeType: "image/png", phoneNumberId: "111" });
    assert.equal((await getJson(`${standin.url}/${media.id}`, {})).status, 401);
    const other = await getJson(`${standin.url}/${media.id}?phone_number_id=222`);
    assert.equal(other.status, 400);
    assert.equal((other.json.error as Record<string, unknown>).code, 100);
    assert.equal((await getJson(`${standin.url}/${media.id}?phone_number_id=111`)).status, 200);
  });

  it("answers 404 for a download URL whose hash was altered", async () => {
    const media = standin.addMedia({ bytes: PNG, mimeType: "image/png" });
    const url = new URL(String((await getJson(`${standin.url}/${media.id}`)).json.url));
    url.searchParams.set("hash", "forged");
    assert.equal((await fetch(url, { headers: auth })).status, 404);
  });

  it("deletes media: DELETE /{media-id} → success, then the id is unknown", async () => {
    const media = standin.addMedia({ bytes: PNG, mimeType: "image/png" });
    const response = await fetch(`${standin.url}/${media.id}`, { method: "DELETE", headers: auth });
    assert.deepEqual(await response.json(), { success: true });
    const after = await getJson(`${standin.url}/${media.id}`);
    assert.equal(after.status, 400);
    assert.equal((after.json.error as Record<string, unknown>).error_subcode, 33);
  });

  it("accepts a multipart upload to /{phone-number-id}/media and serves it back", async () => {
    const form = new FormData();
    form.append("messaging_product", "whatsapp");
    form.append("type", "application/pdf");
    form.append("file", new Blob([new Uint8Array(Buffer.from("%PDF-1.4 demo"))], { type: "application/pdf" }), "invoice.pdf");
    const response = await fetch(`${standin.url}/106540352242922/media`, { method: "POST", headers: auth, body: form });
    assert.equal(response.status, 200);
    const { id } = (await response.json()) as { id: string };
    const stored = standin.getMedia(id);
    assert.equal(stored?.mimeType, "application/pdf");
    assert.equal(stored?.filename, "invoice.pdf");
    assert.equal(stored?.bytes.toString(), "%PDF-1.4 demo");

    const missing = new FormData();
    missing.append("file", new Blob([new Uint8Array([1])]), "x.bin");
    const refused = await fetch(`${standin.url}/106540352242922/media`, { method: "POST", headers: auth, body: missing });
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as { error: { code: number } }).error.code, 100);
  });
});

describe("Meta Graph API stand-in: media URLs expire", () => {
  it("answers 404 once the URL's validity has passed, and GET /{media-id} hands out a new one", async () => {
    const standin = await startMetaGraphStandin({ accessToken: TOKEN, mediaUrlTtlMs: 0 });
    try {
      const media = standin.addMedia({ bytes: PNG, mimeType: "image/png" });
      const { json } = await getJson(`${standin.url}/${media.id}`);
      const expired = await fetch(String(json.url), { headers: auth });
      assert.equal(expired.status, 404);
      assert.equal(await expired.text(), "URL expired");
    } finally {
      await standin.close();
    }
  });
});
