import assert from "node:assert/strict";
import { maskedUrl, TracedRoutes } from "../../../src/observability/http-privacy";

describe("what HTTP spans may say (http-privacy)", () => {
  it("keeps the host and the API's words; ids, keys, file names and queries go", () => {
    assert.equal(
      maskedUrl("https://smba.trafficmanager.net/amer/v3/conversations/19%3Aabc%40thread.tacv2%3Bmessageid%3D1760/activities/1761?x=1"),
      "https://smba.trafficmanager.net/amer/v3/conversations/:id/activities/:id",
    );
    assert.equal(
      maskedUrl("https://acct.table.core.windows.net/bridgeconversations(PartitionKey='106540352242922',RowKey='wa%3A447700900461')"),
      "https://acct.table.core.windows.net/bridgeconversations(:key)",
    );
    assert.equal(maskedUrl("https://graph.facebook.com/v25.0/106540352242922/messages"), "https://graph.facebook.com/v25.0/:id/messages");
    assert.equal(
      maskedUrl("https://graph.microsoft.com/v1.0/drives/b!x/root:/WhatsApp%20media/olivia-hartley.pdf:/content"),
      "https://graph.microsoft.com/v1.0/drives/:id/:id/:id/:id/content",
    );
    assert.equal(maskedUrl("http://127.0.0.1:3978/api/whatsapp/webhook?hub.verify_token=s3cret&hub.challenge=1"), "http://127.0.0.1:3978/api/whatsapp/webhook");
    assert.equal(maskedUrl("not a url"), ":url");
  });

  it("never keeps a digit run, an @ or a dot inside a segment", () => {
    for (const url of ["https://h/447700900461", "https://h/olivia@example.com", "https://h/wamid.HBgM", "https://h/Olivia", "https://h/x1"]) {
      assert.equal(maskedUrl(url), "https://h/:id", url);
    }
  });

  it("traces only POST requests to the routes added, whatever their query", () => {
    const traced = new TracedRoutes();
    traced.add("/api/messages");
    assert.equal(traced.includes("POST", "/api/messages"), true);
    assert.equal(traced.includes("POST", "/api/messages?x=1"), true);
    assert.equal(traced.includes("GET", "/api/messages"), false);
    assert.equal(traced.includes("POST", "/api/whatsapp/webhook"), false);
    assert.equal(traced.includes("GET", "/readyz"), false);
  });
});
