/**
 * Long unbroken tokens (a 300-character link, a SHA-256) do not wrap: a browser breaks lines only at
 * spaces and a few punctuation marks, and Teams' HTML has no CSS to change that. The Agents Playground
 * (the demo's Teams) lets such a token run out of the thread, and out of a card, which it cuts off. A
 * `<wbr>` would be the invisible fix, but the Playground shows it as the text "<wbr>", and Teams does not
 * list it among the tags it renders (docs/teams-rendering.md). So the text itself gets the breaks:
 *
 * - a run of 32 or more hex digits (a SHA-256, a SHA-1) is shown in groups of 8, which wrap like words;
 * - any other token longer than LONG_TOKEN characters gets a line break at least every CHUNK characters,
 *   preferably right after URL punctuation.
 *
 * Display only: links keep their exact address in `href`, and characters are never dropped or added
 * beyond those spaces and line breaks. Zero-width characters are not used: they would be copied with
 * the text and break search.
 */

/** Tokens up to this many characters are left alone. */
export const LONG_TOKEN = 48;
/** A broken token's lines are at most this long. */
export const CHUNK = 40;
/** A break is looked for after one of these in a chunk's last BREAK_WINDOW characters. */
const BREAK_AFTER = new Set(["/", "?", "&", "=", "#", ".", "-", "_", ",", ";", ":", "+", "~"]);
const BREAK_WINDOW = 12;
const HEX_RUN = /^[0-9a-f]{32,}$/i;
const HEX_GROUP = 8;

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** `token` (no whitespace) as it is shown: unchanged, grouped hex, or lines joined by "\n". */
function wrapToken(token: string): string {
  if (HEX_RUN.test(token)) return token.match(new RegExp(`.{1,${HEX_GROUP}}`, "g"))!.join(" ");
  // Graphemes, so that a break never splits an emoji or a letter from its accent.
  const chars = Array.from(graphemes.segment(token), (s) => s.segment);
  if (chars.length <= LONG_TOKEN) return token;
  const lines: string[] = [];
  let start = 0;
  while (chars.length - start > CHUNK) {
    let end = start + CHUNK;
    for (let i = end; i > end - BREAK_WINDOW; i--) {
      if (BREAK_AFTER.has(chars[i - 1]!)) {
        end = i;
        break;
      }
    }
    lines.push(chars.slice(start, end).join(""));
    start = end;
  }
  lines.push(chars.slice(start).join(""));
  return lines.join("\n");
}

/** `text` with its long tokens made to wrap (see above); whitespace and every other token unchanged. */
export function wrapLongTokens(text: string): string {
  return text
    .split(/(\s+)/)
    .map((part, i) => (i % 2 === 1 || part === "" ? part : wrapToken(part)))
    .join("");
}
