import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { BusinessNumberId } from "../../src/core/ids";
import { writeZip } from "../../tools/zip";
import { customerMessage, EXAMPLE_BUSINESS, textMessage } from "../../tools/sign-webhook";
import { ADMIN_AAD, type Harness } from "../support/bridge-harness";
import { securityCase } from "./support/casebook";
import { closeHarness, customer, openHarness, sendActivity, shown } from "./support/hostile-world";
import { countEffects, describeEffects, effectsSince } from "./support/side-effects";

/** Cases of what customers send: text that tries to look like something else, and hostile files. */

const DORA = customer("4915112345678", "Dora Klein");
const BUSINESS = BusinessNumberId(EXAMPLE_BUSINESS.phoneNumberId);
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
const EXE = Buffer.concat([Buffer.from("MZ"), Buffer.alloc(126, 0x90)]);
const HIDDEN = /[\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff]/u;
const linkIn = (html: string) => /<a href="([^"]+\/media\/[^"]+)">/.exec(html)?.[1]?.replace(/&amp;/g, "&");

async function startSpy(): Promise<{ server: Server; host: string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url} auth=${req.headers.authorization ? "yes" : "no"}`);
    res.writeHead(200);
    res.end("x");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, host: `127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

export function contentCases(): void {
  describe("what customers send: deceptive text and hostile files", function () {
    this.timeout(60_000);
    let h: Harness;
    let spy: Awaited<ReturnType<typeof startSpy>>;
    let thread: string;
    let seq = 0;
    const threadPosts = () => h.connector.posts.filter((p) => p.conversationId === thread);

    /** Delivers `spec`, waits for `posts` new posts in the thread, resolves with them (activities). */
    async function deliver(spec: Parameters<Harness["envelope"]>[0], posts = 1): Promise<Array<Record<string, unknown>>> {
      const before = threadPosts().length;
      assert.equal(await h.postWebhook(h.envelope(spec)), 200);
      await h.connector.waitFor(() => threadPosts().length >= before + posts, 15_000);
      await h.bridge.bridge.idle();
      return threadPosts()
        .slice(before)
        .map((p) => p.activity);
    }
    const media = (type: string, payload: Record<string, unknown>) =>
      customerMessage({ from: DORA, id: `wamid.content.${++seq}`, message: { type, [type]: payload } });

    before(async () => {
      spy = await startSpy();
      h = await openHarness({ env: { MEDIA_DOWNLOAD_TIMEOUT_MS: "2000" } });
      assert.equal((await sendActivity(h, h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true }))).status, 200);
      await deliver(textMessage({ from: DORA, text: "Guten Tag", id: "wamid.content.open" }), 0);
      await h.connector.waitFor((s) => s.created.length === 1 && s.posts.some((p) => p.conversationId === s.created[0]!.conversationId), 15_000);
      thread = h.connector.created[0]!.conversationId;
    });
    after(async () => {
      await closeHarness(h);
      await new Promise<void>((resolve) => spy?.server.close(() => resolve()));
    });

    securityCase(
      "28",
      "customer text [Verify account](https://evil.example)",
      "literal text with the URL visible, no hidden link; raw text kept in the record",
      async () => {
        const text = "[Verify account](https://evil.example/login)";
        const [post] = await deliver(textMessage({ from: DORA, text, id: "wamid.content.28" }));
        const html = String(post!.text);
        assert.doesNotMatch(html, /<a /i);
        assert.ok(shown(html).includes(text), "shown as typed, URL visible");
        const entry = await h.bridge.stores.inbox.get(BUSINESS, "msg:wamid.content.28");
        assert.equal(entry?.event.type === "message" && entry.event.content.kind === "text" ? entry.event.content.raw : undefined, text);
        return `no <a> in the post; shown as "${shown(html).match(/\[Verify[^)]*\)/)?.[0]}"; inbox keeps the raw text`;
      },
    );

    securityCase("29", 'customer text with <at>General</at>, <at id="0">CEO</at> and raw HTML', "escaped; no mention entities, no notification", async () => {
      const text = '<at>General</at> <at id="0">CEO</at> <img src=x onerror=alert(1)> <b>urgent</b>';
      const [post] = await deliver(textMessage({ from: DORA, text, id: "wamid.content.29" }));
      const html = String(post!.text);
      assert.doesNotMatch(html, /<at|<img|<b>/i);
      const mentions = ((post!.entities as Array<{ type: string }> | undefined) ?? []).filter((e) => e.type === "mention");
      assert.deepEqual(mentions, []);
      assert.ok(html.includes("&lt;at&gt;General&lt;/at&gt;"));
      return `escaped (&lt;at&gt;…); mention entities: ${mentions.length}; no <img>/<b> markup`;
    });

    securityCase(
      "30",
      'profile name "Compliance Dept" with U+202E and a zero-width space',
      "markers shown, the number beside the name; raw name recorded",
      async () => {
        const spoof = customer("447700900777", "Compliance\u200b Dept\u202e");
        const before = h.connector.created.length;
        assert.equal(await h.postWebhook(h.envelope(textMessage({ from: spoof, text: "Please confirm your PIN", id: "wamid.content.30" }))), 200);
        await h.connector.waitFor(
          (s) => s.created.length === before + 1 && s.posts.some((p) => p.conversationId === s.created[before]!.conversationId),
          15_000,
        );
        await h.bridge.bridge.idle();
        const created = h.connector.created[before]!;
        const card = JSON.stringify(created.parameters.activity);
        const post = String(h.connector.posts.find((p) => p.conversationId === created.conversationId)!.activity.text);
        assert.ok(!HIDDEN.test(card) && !HIDDEN.test(post), "no raw control character reaches Teams");
        assert.ok(card.includes("Compliance[U+200B] Dept[U+202E]") && card.includes("+447700900777"));
        assert.match(shown(post), /Compliance\[U\+200B\] Dept\[U\+202E\]<\/strong> \(\+447700900777\)/);
        const entry = await h.bridge.stores.inbox.get(BUSINESS, "msg:wamid.content.30");
        assert.equal(entry?.event.type === "message" ? entry.event.contact.profileName : undefined, spoof.name);
        return `shown "Compliance[U+200B] Dept[U+202E] (+447700900777)"; raw name in the inbox`;
      },
    );

    securityCase(
      "F16",
      "a document named invoice<U+202E>fdp.exe: bidi controls in file names",
      "the name shows the marker; the record keeps it raw",
      async () => {
        const name = "invoice\u202efdp.exe";
        // The name travels in the webhook (the stand-in's own download answer cannot carry it in a header).
        const file = h.metaGraph.addMedia({ bytes: PDF, mimeType: "application/pdf", phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId });
        const spec = media("document", { id: file.id, mime_type: "application/pdf", sha256: file.sha256Base64, filename: name });
        const id = (spec.value.messages as Array<{ id: string }>)[0]!.id;
        const [post] = await deliver(spec);
        const html = shown(String(post!.text));
        assert.ok(!HIDDEN.test(html));
        assert.match(html, /invoice\[U\+202E\]fdp\.exe/);
        const entry = await h.bridge.stores.inbox.get(BUSINESS, `msg:${id}`);
        assert.equal(entry?.event.type === "message" && "filename" in entry.event.content ? entry.event.content.filename : undefined, name);
        return `shown "invoice[U+202E]fdp.exe"${/Risky file|Kept apart/.test(html) ? " and kept apart as risky" : ""}; raw name in the inbox`;
      },
    );

    securityCase(
      "31",
      "the media lookup answers a URL off the allow-list (another host, and 169.254.169.254)",
      "download refused; the token never sent; a placeholder; a warning logged",
      async () => {
        const offList = h.metaGraph.addMedia({
          bytes: PNG,
          mimeType: "image/png",
          phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId,
          lookupUrl: `http://${spy.host}/whatsapp_business/attachments/?mid=1`,
        });
        const metadata = h.metaGraph.addMedia({
          bytes: PNG,
          mimeType: "image/png",
          phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId,
          lookupUrl: "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        });
        const downloads = h.metaGraph.mediaDownloads;
        const before = await countEffects(h);
        const [a] = await deliver(media("image", { id: offList.id, mime_type: "image/png", sha256: offList.sha256Base64 }));
        const [b] = await deliver(media("image", { id: metadata.id, mime_type: "image/png", sha256: metadata.sha256Base64 }));
        const effects = await effectsSince(h, before);
        for (const post of [a, b]) assert.match(String(post!.text), /refused by the bridge&#39;s security rules \(the file is on a host that is not allowed/);
        assert.deepEqual(spy.hits, [], "nothing reached the other host");
        assert.equal(h.metaGraph.mediaDownloads, downloads, "no download at all");
        assert.equal(effects.sends, 0);
        assert.ok(h.logger.lines.filter((l) => l.event === "whatsapp.media.failed").length >= 2);
        return `two placeholders "refused … host that is not allowed"; other host saw ${spy.hits.length} requests; ${describeEffects(effects)}`;
      },
    );

    securityCase(
      "32",
      "the media download answers 302 to a private address",
      "redirect not followed; download refused (a security refusal, not retried); placeholder",
      async () => {
        const file = h.metaGraph.addMedia({ bytes: PNG, mimeType: "image/png", phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId });
        h.metaGraph.failMediaDownload({ redirectTo: `http://${spy.host}/private` }, 1);
        const [post] = await deliver(media("image", { id: file.id, mime_type: "image/png", sha256: file.sha256Base64 }));
        await h.bridge.bridge.followUpsSettled();
        assert.match(String(post!.text), /refused by the bridge&#39;s security rules \(the media host answered with a redirect\)/);
        assert.deepEqual(spy.hits, [], "the redirect target was never asked");
        assert.deepEqual(await h.bridge.stores.mediaRetries.list(), [], "no retry queued");
        return `placeholder "refused … answered with a redirect"; redirect target saw ${spy.hits.length} requests; retries queued: 0`;
      },
    );

    securityCase(
      "33",
      "bytes whose SHA-256 differs from the webhook's, and image/jpeg that is really a Windows program",
      "integrity failure; quarantined; not linked, not inline",
      async () => {
        const hashed = h.metaGraph.addMedia({ bytes: PNG, mimeType: "image/png", phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId });
        const disguised = h.metaGraph.addMedia({ bytes: EXE, mimeType: "image/jpeg", phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId });
        const [a] = await deliver(media("image", { id: hashed.id, mime_type: "image/png", sha256: Buffer.alloc(32, 7).toString("base64") }));
        const [b] = await deliver(media("image", { id: disguised.id, mime_type: "image/jpeg", sha256: disguised.sha256Base64 }));
        await new Promise((r) => setTimeout(r, 200));
        for (const post of [a, b]) {
          assert.match(String(post!.text), /Integrity check failed/);
          assert.equal(linkIn(String(post!.text)), undefined, "no link");
          assert.match(String(post!.text), /Kept apart in: <\/strong>quarantine\//);
        }
        assert.match(String(b!.text), /declared as image\/jpeg but its bytes are/);
        assert.equal(threadPosts().at(-1)!.activity, b, "no inline image after them");
        return "both: ⚠️ Integrity check failed, kept apart in quarantine/, no link, nothing inline";
      },
    );

    securityCase("34", "a zip bomb (128 MB of zeros in a small archive)", "kept as the archive's bytes, never opened; memory stays bounded", async () => {
      const path = join(mkdtempSync(join(tmpdir(), "zip-bomb-")), "statement.zip");
      const zeros = Buffer.alloc(32 * 1024 * 1024);
      writeZip(
        path,
        [0, 1, 2, 3].map((i) => ({ name: `part${i}.bin`, data: zeros })),
        { deflate: true },
      );
      const bomb = readFileSync(path);
      const file = h.metaGraph.addMedia({ bytes: bomb, mimeType: "application/zip", filename: "statement.zip", phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId });
      const external = () => process.memoryUsage().arrayBuffers;
      const start = external();
      let peak = start;
      const sampler = setInterval(() => {
        peak = Math.max(peak, external());
      }, 10);
      let post: Record<string, unknown> | undefined;
      try {
        [post] = await deliver(media("document", { id: file.id, mime_type: "application/zip", sha256: file.sha256Base64, filename: "statement.zip" }));
      } finally {
        clearInterval(sampler);
      }
      const link = linkIn(String(post!.text));
      assert.ok(link, "kept and linked like any archive");
      const served = Buffer.from(await (await fetch(link)).arrayBuffer());
      assert.ok(served.equals(bomb), "the archive itself, not its contents");
      const grew = (peak - start) / 1024 / 1024;
      assert.ok(grew < 64, `memory grew by ${grew.toFixed(1)} MB`);
      return `${(bomb.length / 1024).toFixed(0)} KB archive (128 MB inside) kept byte for byte, never opened; buffers grew ${grew.toFixed(1)} MB at most`;
    });

    securityCase(
      "35",
      "media over the size cap, and a download slower than the time limit",
      "cap checked before download; time limit enforced; placeholders",
      async () => {
        const big = Buffer.alloc(5 * 1024 * 1024 + 1, 0xff);
        big[0] = 0xff;
        big[1] = 0xd8;
        big[2] = 0xff;
        const large = h.metaGraph.addMedia({ bytes: big, mimeType: "image/jpeg", phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId });
        const downloads = h.metaGraph.mediaDownloads;
        const [a] = await deliver(media("image", { id: large.id, mime_type: "image/jpeg", sha256: large.sha256Base64 }));
        assert.match(String(a!.text), /larger than WhatsApp&#39;s limit for its type \(5\.0 MB\)/);
        assert.equal(h.metaGraph.mediaDownloads, downloads, "never downloaded");
        const largeDownloads = h.metaGraph.mediaDownloads - downloads;
        const slow = h.metaGraph.addMedia({ bytes: PDF, mimeType: "application/pdf", filename: "slow.pdf", phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId });
        h.metaGraph.failMediaDownload({ delayMs: 6_000 }, 1);
        const started = Date.now();
        const [b] = await deliver(media("document", { id: slow.id, mime_type: "application/pdf", sha256: slow.sha256Base64, filename: "slow.pdf" }));
        const took = Date.now() - started;
        assert.match(String(b!.text), /took longer than 2 s/);
        assert.ok(took < 5_500, `placeholder after ${took} ms`);
        return `over the cap: placeholder, ${largeDownloads} downloads; slow download: placeholder after ${took} ms (MEDIA_DOWNLOAD_TIMEOUT_MS=2000, the host answering after 6 s)`;
      },
    );

    securityCase("36", "a media id WhatsApp no longer has", 'placeholder "no longer available", recorded; no crash', async () => {
      const id = `wamid.content.${++seq}`;
      const [post] = await deliver(
        customerMessage({
          from: DORA,
          id,
          message: { type: "document", document: { id: "999000111222", mime_type: "application/pdf", sha256: "x", filename: "old.pdf" } },
        }),
      );
      assert.match(String(post!.text), /WhatsApp no longer has this document/);
      assert.equal((await h.bridge.stores.inbox.get(BUSINESS, `msg:${id}`))?.state, "done");
      assert.equal((await fetch(`${h.bridge.url}/healthz`)).status, 200);
      return 'placeholder "WhatsApp no longer has this document"; inbox entry done; /healthz 200';
    });

    securityCase("F17", "a program sent as a document (invoice.pdf.exe)", "flagged and kept apart (MEDIA_RISKY_FILES=quarantine); no link", async () => {
      const file = h.metaGraph.addMedia({
        bytes: EXE,
        mimeType: "application/x-msdownload",
        filename: "invoice.pdf.exe",
        phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId,
      });
      const [post] = await deliver(
        media("document", { id: file.id, mime_type: "application/x-msdownload", sha256: file.sha256Base64, filename: "invoice.pdf.exe" }),
      );
      const html = String(post!.text);
      assert.match(html, /Risky file/);
      assert.equal(linkIn(html), undefined);
      assert.match(html, /Kept apart in: <\/strong>quarantine\//);
      assert.equal(h.config.bridge.riskyFiles.policy, "quarantine");
      return "⚠️ Risky file with its reasons; kept apart in quarantine/; no link";
    });

    securityCase("F6", "the local media store's links: expiry and signature", "a kept file's link works; altered expiry or signature: 404", async () => {
      const file = h.metaGraph.addMedia({ bytes: PDF, mimeType: "application/pdf", filename: "terms.pdf", phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId });
      const [post] = await deliver(media("document", { id: file.id, mime_type: "application/pdf", sha256: file.sha256Base64, filename: "terms.pdf" }));
      const link = new URL(linkIn(String(post!.text))!);
      const expires = Number(link.searchParams.get("expires"));
      const ttlMs = h.config.media.kind === "local" ? h.config.media.linkTtlMs : 0;
      assert.ok(expires * 1000 > Date.now() && expires * 1000 <= Date.now() + ttlMs + 60_000, "the link expires within its time to live");
      const statusOf = async (url: URL) => {
        const res = await fetch(url);
        await res.arrayBuffer();
        return res.status;
      };
      const later = new URL(link);
      later.searchParams.set("expires", String(expires + 86_400));
      const past = new URL(link);
      past.searchParams.set("expires", String(Math.floor(Date.now() / 1000) - 60));
      const forged = new URL(link);
      forged.searchParams.set("sig", "A".repeat(43));
      const statuses = [await statusOf(link), await statusOf(later), await statusOf(past), await statusOf(forged)];
      assert.deepEqual(statuses, [200, 404, 404, 404]);
      return `link valid ${ttlMs / 3_600_000} h: 200; extended expiry ${statuses[1]}; past expiry ${statuses[2]}; forged signature ${statuses[3]}`;
    });
  });
}
