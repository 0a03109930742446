/**
 * A small, tolerant HTML tokenizer for the Teams message HTML that reaches the bot (protocols.md B8, B8a).
 * It never throws and never interprets anything: a `<` that does not start a well-formed tag is text,
 * an unterminated tag or comment turns the rest into text. Entities are decoded here, once, for text and
 * attribute values.
 */

export type HtmlToken =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "open"; readonly name: string; readonly attrs: Readonly<Record<string, string>>; readonly selfClosing: boolean }
  | { readonly type: "close"; readonly name: string };

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'", nbsp: "\u00a0",
  copy: "©", reg: "®", trade: "™", hellip: "…", mdash: "—", ndash: "–", middot: "·", bull: "•",
  lsquo: "‘", rsquo: "’", ldquo: "“", rdquo: "”", laquo: "«", raquo: "»",
  euro: "€", pound: "£", yen: "¥", cent: "¢", times: "×", divide: "÷", deg: "°", para: "¶", sect: "§",
  zwj: "\u200d", zwnj: "\u200c", shy: "\u00ad",
};

/** Decodes HTML character references; unknown or malformed ones stay as written. */
export function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/g, (whole, ref: string) => {
    if (ref.startsWith("#")) {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      // NUL, surrogates and values past Unicode are replaced as the HTML standard does.
      if (!Number.isFinite(code) || code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return "\ufffd";
      return String.fromCodePoint(code);
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

const NAME_START = /[A-Za-z]/;
const NAME_CHAR = /[A-Za-z0-9:_-]/;
const SPACE = /[\s]/;

/** Parses the attribute part of a tag (`from` just after the name, `to` at the closing `>`). */
function parseAttributes(source: string, from: number, to: number): { attrs: Record<string, string>; selfClosing: boolean } {
  const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
  let i = from;
  let selfClosing = false;
  while (i < to) {
    const c = source[i]!;
    if (SPACE.test(c)) { i++; continue; }
    if (c === "/") { selfClosing = i === to - 1 || /^\/\s*$/.test(source.slice(i, to)); i++; continue; }
    let nameEnd = i;
    while (nameEnd < to && !SPACE.test(source[nameEnd]!) && source[nameEnd] !== "=" && source[nameEnd] !== "/") nameEnd++;
    if (nameEnd === i) { i++; continue; }
    const name = source.slice(i, nameEnd).toLowerCase();
    i = nameEnd;
    while (i < to && SPACE.test(source[i]!)) i++;
    let value = "";
    if (source[i] === "=") {
      i++;
      while (i < to && SPACE.test(source[i]!)) i++;
      const quote = source[i];
      if (quote === "\"" || quote === "'") {
        const close = source.indexOf(quote, i + 1);
        const end = close === -1 || close > to ? to : close;
        value = source.slice(i + 1, end);
        i = end + 1;
      } else {
        let end = i;
        while (end < to && !SPACE.test(source[end]!)) end++;
        value = source.slice(i, end);
        i = end;
      }
    }
    if (!(name in attrs)) attrs[name] = decodeEntities(value);
  }
  return { attrs, selfClosing };
}

/** Finds the `>` that ends a tag starting at `from`, skipping quoted attribute values. -1 if none. */
function findTagEnd(source: string, from: number): number {
  let quote: string | undefined;
  for (let i = from; i < source.length; i++) {
    const c = source[i];
    if (quote) { if (c === quote) quote = undefined; continue; }
    if (c === "\"" || c === "'") {
      // A quote only opens a value right after `=` (allowing spaces); elsewhere it is an ordinary character.
      let j = i - 1;
      while (j >= from && SPACE.test(source[j]!)) j--;
      if (source[j] === "=") quote = c;
      continue;
    }
    if (c === ">") return i;
    if (c === "<") return -1; // a new tag starts before this one closed: treat the `<` as text
  }
  return -1;
}

/** Splits `source` into text, open-tag and close-tag tokens. Comments, doctypes and `<?…>` are dropped. */
export function tokenizeHtml(source: string): HtmlToken[] {
  const tokens: HtmlToken[] = [];
  let text = "";
  const flushText = () => {
    if (text) tokens.push({ type: "text", text: decodeEntities(text) });
    text = "";
  };
  let i = 0;
  while (i < source.length) {
    const lt = source.indexOf("<", i);
    if (lt === -1) { text += source.slice(i); break; }
    text += source.slice(i, lt);
    const next = source[lt + 1] ?? "";
    if (source.startsWith("<!--", lt)) {
      const end = source.indexOf("-->", lt + 4);
      if (end === -1) { text += source.slice(lt); break; }
      i = end + 3;
      continue;
    }
    if (next === "!" || next === "?") {
      const end = source.indexOf(">", lt + 2);
      if (end === -1) { text += source.slice(lt); break; }
      i = end + 1;
      continue;
    }
    const closing = next === "/";
    const nameStart = closing ? lt + 2 : lt + 1;
    if (!NAME_START.test(source[nameStart] ?? "")) { text += "<"; i = lt + 1; continue; }
    let nameEnd = nameStart;
    while (nameEnd < source.length && NAME_CHAR.test(source[nameEnd]!)) nameEnd++;
    const end = findTagEnd(source, nameEnd);
    if (end === -1) { text += "<"; i = lt + 1; continue; }
    const name = source.slice(nameStart, nameEnd).toLowerCase();
    flushText();
    if (closing) {
      tokens.push({ type: "close", name });
    } else {
      const { attrs, selfClosing } = parseAttributes(source, nameEnd, end);
      tokens.push({ type: "open", name, attrs, selfClosing });
    }
    i = end + 1;
  }
  flushText();
  return tokens;
}
