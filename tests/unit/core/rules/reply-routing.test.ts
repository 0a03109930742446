import assert from "node:assert/strict";
import { paragraph, toPlainText, type FormattedText } from "../../../../src/core/formatted-text";
import { routeStaffReply, tenantLinkHost, withoutLeadingPrefix, type OtherMention } from "../../../../src/core/rules/reply-routing";

const settings = { replyMode: "all" as const, notePrefix: "//", sendPrefix: "!" };
const reply = (text: string, options: { mentions?: OtherMention[]; mentionsBot?: boolean; body?: FormattedText } = {}) => ({
  body: options.body ?? paragraph(text),
  text,
  mentionsBot: options.mentionsBot ?? false,
  mentions: options.mentions ?? [],
});
const ada: OtherMention = { kind: "person", name: "Ada Admin" };

describe("which staff replies leave the tenant (reply routing)", () => {
  it("a plain reply is sent as written", () => {
    const route = routeStaffReply(reply("Your card is on its way"), settings);
    assert.equal(route.kind, "send");
    assert.equal(route.kind === "send" && toPlainText(route.body), "Your card is on its way");
  });

  it("a note is never sent", () => {
    assert.equal(routeStaffReply(reply("// checked the CRM"), settings).kind, "note");
    assert.equal(routeStaffReply(reply("   // indented note"), settings).kind, "note");
  });

  it("a reply that @mentions a colleague, a tag, a channel or the team stays internal", () => {
    for (const mention of [
      ada,
      { kind: "tag", name: "Payments" },
      { kind: "channel", name: "Escalations" },
      { kind: "team", name: "Retail" },
    ] as OtherMention[]) {
      const route = routeStaffReply(reply(`${mention.name} can you check her account?`, { mentions: [mention] }), settings);
      assert.deepEqual(route, { kind: "internal-mention", mentions: [mention] });
    }
  });

  it("mentioning the bot and a person stays internal too, unless the send-anyway prefix starts it", () => {
    assert.equal(routeStaffReply(reply("Ada please look", { mentions: [ada], mentionsBot: true }), settings).kind, "internal-mention");
    const route = routeStaffReply(reply("! Ada will call you back", { mentions: [ada], mentionsBot: true }), settings);
    assert.equal(route.kind, "send");
    assert.equal(route.kind === "send" && toPlainText(route.body), "Ada will call you back");
    assert.equal(route.kind === "send" && route.sentAnyway, true);
  });

  it("the send-anyway prefix is removed, keeping formatting of the rest; a prefix alone in its own run is dropped", () => {
    const body: FormattedText = [
      {
        kind: "paragraph",
        inlines: [
          { kind: "text", text: "! " },
          { kind: "text", text: "Ada", marks: { bold: true } },
          { kind: "text", text: " confirms" },
        ],
      },
    ];
    assert.deepEqual(withoutLeadingPrefix(body, "!"), [
      {
        kind: "paragraph",
        inlines: [
          { kind: "text", text: "Ada", marks: { bold: true } },
          { kind: "text", text: " confirms" },
        ],
      },
    ]);
    assert.deepEqual(withoutLeadingPrefix(paragraph("!Hello"), "!"), paragraph("Hello"));
    assert.deepEqual(withoutLeadingPrefix(paragraph("Hello!"), "!"), paragraph("Hello!"), "only a leading prefix counts");
  });

  it("in mention mode a reply that does not mention the bot is not addressed to the customer", () => {
    assert.equal(routeStaffReply(reply("chatter"), { ...settings, replyMode: "mention" }).kind, "not-addressed");
    assert.equal(routeStaffReply(reply("Hello Maria", { mentionsBot: true }), { ...settings, replyMode: "mention" }).kind, "send");
  });

  it("links into the tenant are refused unless sent anyway; other links go", () => {
    const cases: Array<[string, string | undefined]> = [
      ["https://contoso.sharepoint.com/sites/retail/Shared%20Documents/kyc.pdf", "contoso.sharepoint.com"],
      ["https://contoso-my.sharepoint.com/personal/ada/Documents/x.xlsx", "contoso-my.sharepoint.com"],
      ["https://teams.microsoft.com/l/message/19:abc@thread.tacv2/1700000000000", "teams.microsoft.com"],
      ["https://teams.microsoft.com/", undefined],
      ["https://www.contoso.com/rates", undefined],
      ["not a url", undefined],
    ];
    for (const [url, host] of cases) assert.equal(tenantLinkHost(url), host, url);
    assert.equal(tenantLinkHost("https://files.contoso.com/doc", [".contoso.com"]), "files.contoso.com");

    const inText = routeStaffReply(reply("See https://contoso.sharepoint.com/sites/x/doc.pdf for details"), settings);
    assert.deepEqual(inText, { kind: "tenant-link", hosts: ["contoso.sharepoint.com"] });
    const asLink: FormattedText = [{ kind: "paragraph", inlines: [{ kind: "link", href: "https://teams.microsoft.com/l/file/abc", text: "the file" }] }];
    assert.equal(routeStaffReply(reply("the file", { body: asLink }), settings).kind, "tenant-link");
    assert.equal(routeStaffReply(reply("! See https://contoso.sharepoint.com/x"), settings).kind, "send");
    assert.equal(routeStaffReply(reply("Our rates: https://www.contoso.com/rates"), settings).kind, "send");
  });
});
