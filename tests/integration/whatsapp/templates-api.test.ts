import assert from "node:assert/strict";
import { BusinessNumberId, WaPhone } from "../../../src/core/ids";
import { CloudApiWhatsAppGateway } from "../../../src/whatsapp/meta/cloud-api-gateway";
import { startMetaGraphStandin } from "../../../tools/meta-graph-standin";
import type { MetaGraphStandin, StandinTemplate } from "../../../tools/meta-graph-standin/standin-types";

const TOKEN = "EAAG-templates-test";
const template = (n: number, status = "APPROVED"): StandinTemplate => ({
  id: String(5000 + n),
  name: `tpl_${String(n).padStart(3, "0")}`,
  language: n % 2 ? "en_US" : "pt_BR",
  status,
  category: "UTILITY",
  components: [
    { type: "HEADER", format: "TEXT", text: "Order {{1}}" },
    { type: "BODY", text: "Hi {{name}}, order {{order}} shipped." },
    { type: "FOOTER", text: "Reply STOP to opt out" },
    { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Thanks" }] },
  ],
});

describe("message templates over the Meta Graph API stand-in (docs/protocols.md A13)", () => {
  let standin: MetaGraphStandin;
  let gateway: CloudApiWhatsAppGateway;
  before(async () => {
    standin = await startMetaGraphStandin({ accessToken: TOKEN });
    gateway = new CloudApiWhatsAppGateway({ metaGraphUrl: standin.url, accessToken: TOKEN, businessAccountId: "102290129340398", timeoutMs: 2_000 });
  });
  after(() => standin.close());

  it("lists every page of APPROVED templates, in the core's terms", async () => {
    standin.templates = [...Array.from({ length: 230 }, (_, i) => template(i)), template(999, "REJECTED")];
    const listed = await gateway.listTemplates();
    assert.equal(listed.length, 230, "all three pages, the rejected one left out");
    assert.deepEqual(listed[1], {
      name: "tpl_001",
      language: "en_US",
      category: "UTILITY",
      header: { format: "TEXT", text: "Order {{1}}" },
      body: "Hi {{name}}, order {{order}} shipped.",
      footer: "Reply STOP to opt out",
      buttons: ["Thanks"],
    });
    assert.ok(standin.templateListings >= 3);
  });

  it("sends a template with positional header and named body parameters", async () => {
    const [t] = await gateway.listTemplates();
    const sent = await gateway.sendTemplate({
      business: BusinessNumberId("106540352242922"),
      to: { kind: "individual", phone: WaPhone("5511987654321") },
      template: t!,
      values: { header: { "1": "#4471" }, body: { name: "Maria", order: "#4471" } },
      callbackData: "teams-1",
    });
    assert.match(sent.id, /^wamid\./);
    const body = standin.sent.at(-1)!.body as Record<string, unknown>;
    assert.deepEqual(body, {
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: "+5511987654321",
      type: "template",
      template: {
        name: "tpl_000",
        language: { code: "pt_BR" },
        components: [
          { type: "header", parameters: [{ type: "text", text: "#4471" }] },
          {
            type: "body",
            parameters: [
              { type: "text", parameter_name: "name", text: "Maria" },
              { type: "text", parameter_name: "order", text: "#4471" },
            ],
          },
        ],
      },
      biz_opaque_callback_data: "teams-1",
    });
  });

  it("without a WABA id there is nothing to list", async () => {
    const noWaba = new CloudApiWhatsAppGateway({ metaGraphUrl: standin.url, accessToken: TOKEN });
    assert.deepEqual(await noWaba.listTemplates(), []);
  });
});
