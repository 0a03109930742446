/**
 * The hosts the bot may call. A `serviceUrl` arrives inside activities; the bot must never send its token
 * (or anything) to a host that is not on the list (docs/security.md, adversarial case 23). Plain `http:` is accepted only for
 * loopback hosts (local stand-ins in tests and the demo).
 */
const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(:\d+)?$/i;

/** Returns the host (`name[:port]`, lower case) of an allowed serviceUrl, or undefined if not allowed. */
export function allowedServiceUrlHost(serviceUrl: string | undefined, allowedHosts: readonly string[]): string | undefined {
  if (!serviceUrl) return undefined;
  let url: URL;
  try {
    url = new URL(serviceUrl);
  } catch (err) {
    if (err instanceof TypeError) return undefined; // not a URL at all
    throw err;
  }
  const host = url.host.toLowerCase();
  if (url.username || url.password) return undefined;
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.test(host))) return undefined;
  return allowedHosts.some((h) => h.trim().toLowerCase() === host) ? host : undefined;
}

/** The host part of a URL for logs, or "-" for something that is not a URL. */
export function hostForLog(serviceUrl: string | undefined): string {
  try {
    return serviceUrl ? new URL(serviceUrl).host : "-";
  } catch (err) {
    if (err instanceof TypeError) return "(invalid url)";
    throw err;
  }
}
