import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The one address the demo prints: a page with the WhatsApp simulator and the Agents Playground side by
 * side (two iframes), three lines of "try this", and links to open each on its own.
 */
export interface LandingPage {
  readonly url: string;
  close(): Promise<void>;
}

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The page's HTML for these two addresses. */
export function landingHtml(p: { simulatorUrl: string; playgroundUrl: string; businessNumber: string; botName: string; channelName: string }): string {
  const sim = escape(p.simulatorUrl);
  const pg = escape(p.playgroundUrl);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>WhatsApp ⇄ Teams bridge: demo</title>
<style>
  * { box-sizing: border-box; }
  html, body { height: 100%; margin: 0; }
  body { display: flex; flex-direction: column; font: 14px/1.45 system-ui, "Segoe UI", Roboto, Arial, sans-serif; color: #1b1b1b; background: #f3f2f1; }
  header { padding: 8px 16px 6px; background: #fff; border-bottom: 1px solid #ddd; }
  h1 { font-size: 17px; margin: 0 0 2px; }
  h1 small { font-size: 13px; font-weight: normal; color: #605e5c; }
  ol { margin: 0; padding-left: 20px; }
  li { margin: 1px 0; }
  .note { color: #605e5c; font-size: 12.5px; margin: 3px 0 0; }
  /* Side by side from 1280 px up, never wider than the window. The Playground lists its channels at its
     left only when its frame is wider than 1260 px (narrower, the list is behind ☰ at its top left), so
     that is its width where the screen allows. */
  main { flex: 1; display: grid; grid-template-columns: minmax(460px, 1fr) minmax(0, 2fr); gap: 8px; padding: 8px; min-height: 0; }
  @media (min-width: 1740px) { main { grid-template-columns: minmax(440px, 1fr) minmax(1262px, 2fr); } }
  @media (max-width: 1500px) { header { font-size: 13px; } h1 { font-size: 16px; } .note { font-size: 12px; } }
  section { display: flex; flex-direction: column; min-width: 0; min-height: 0; background: #fff; border: 1px solid #ddd; border-radius: 6px; overflow: hidden; }
  section h2 { font-size: 13px; margin: 0; padding: 6px 10px; background: #faf9f8; border-bottom: 1px solid #eee; display: flex; gap: 8px; justify-content: space-between; white-space: nowrap; }
  section h2 span { overflow: hidden; text-overflow: ellipsis; }
  iframe { flex: 1; border: 0; width: 100%; min-height: 0; }
  kbd { font: inherit; background: #f3f2f1; border: 1px solid #ccc; border-radius: 3px; padding: 0 3px; }
</style>
</head>
<body>
<header>
  <h1>WhatsApp ⇄ Teams bridge: demo <small>everything runs on this machine</small></h1>
  <ol>
    <li><b>Left</b>, as a customer (pick one or add one), send <i>Hello, where is my order?</i> to +${escape(p.businessNumber)}. <b>Right</b>, open <b>Teams Channel › ${escape(p.channelName)}</b> (narrower than 1740 px, the list is behind <b>☰</b> at the Playground's top left): a new thread with the customer's card appears.</li>
    <li>Reply in that thread and <b>@mention the bot</b>: type <kbd>@${escape(p.botName)}</kbd>, pick it, then your answer. The reply reaches the customer; watch its ticks go ✓ → ✓✓ → blue.</li>
    <li>Send an image, a document or a location from the simulator; or start a Teams reply with <kbd>//</kbd> for an internal note that is never sent.</li>
  </ol>
  <p class="note">Replies must mention the bot: in the Playground, as in Teams without the resource-specific permission, the bot only sees replies that @mention it (this demo runs <code>REPLY_MODE=mention</code>). The Playground shows only threads created while its page is open, and its log panel (✕ at its top right) can be closed for more room. Ctrl-C in the terminal stops the demo.</p>
</header>
<main>
  <section><h2><span>WhatsApp simulator: you are the customer</span> <a href="${sim}" target="_blank" rel="noopener">open alone</a></h2><iframe src="${sim}" title="WhatsApp simulator"></iframe></section>
  <section><h2><span>Microsoft 365 Agents Playground: you are the staff, as in Teams</span> <a href="${pg}" target="_blank" rel="noopener">open alone</a></h2><iframe src="${pg}" title="Microsoft 365 Agents Playground"></iframe></section>
</main>
</body>
</html>
`;
}

/** Serves the landing page on 127.0.0.1 at `port` (0: any free port). */
export async function startLandingPage(html: string, port: number): Promise<LandingPage> {
  const body = Buffer.from(html, "utf8");
  const server: Server = createServer((request, response) => {
    if (request.method === "GET" && (request.url === "/" || request.url === "/index.html")) {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": body.length, "cache-control": "no-store" });
      response.end(body);
    } else {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      response.end("Not found");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
