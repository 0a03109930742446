import { createHash } from "node:crypto";
import { Parser } from "htmlparser2";

/**
 * The reference shown in each customer post (`ref 3f9a2c1b04de`): the first 12 hex digits of the SHA-256
 * of the message's wamid. Deterministic, so after a crash the bridge can search the thread for the post
 * it may already have made (graph-thread-history.ts), and compliance can match a post to Meta's id by
 * hashing it. Visible text, because Graph returns the body as Teams stored it: attributes and hidden
 * elements may not survive, the words do. 48 bits: a collision within one thread is negligible.
 */
export function postMarker(wamid: string): string {
  return createHash("sha256").update(wamid, "utf8").digest("hex").slice(0, 12);
}

/** The words of a stored HTML body: its text, entities decoded, with a space wherever a tag was. */
function visibleText(html: string): string {
  let text = "";
  const tag = () => {
    text += " ";
  };
  new Parser(
    {
      ontext: (t) => {
        text += t;
      },
      onopentag: tag,
      onclosetag: tag,
    },
    { decodeEntities: true },
  ).end(html);
  return text;
}

/** True when the HTML body shows `ref <marker>` (as a word of its own, whatever markup Teams put around it). */
export function hasPostMarker(html: string, marker: string): boolean {
  return new RegExp(`(^|[^0-9a-z])ref\\s+${marker}($|[^0-9a-z])`, "i").test(visibleText(html));
}
