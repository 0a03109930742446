/**
 * Checks a staff reply before it leaves the tenant (the data-privacy and legal risks firms worry about):
 * payment card numbers (Luhn-valid), IBANs (ISO 13616 mod-97 valid), and configurable blocked words and
 * patterns. A hit names the rule and shows only a masked hint of the match, never the value itself.
 */
export interface PolicySettings {
  readonly cardNumbers: boolean;
  readonly ibans: boolean;
  /** Whole words, matched case-insensitively. */
  readonly blockedWords: readonly string[];
  /** Regular expressions (source text), matched case-insensitively. */
  readonly blockedPatterns: readonly string[];
}

export type PolicyVerdict = { readonly ok: true } | { readonly ok: false; readonly rule: string; readonly hint: string };

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}

export function ibanValid(candidate: string): boolean {
  const iban = candidate.replace(/\s+/g, "").toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const value = ch >= "A" ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

/**
 * The first valid IBAN in `text`, written compact or in groups separated by single spaces. A greedy match
 * would swallow the next word, so every length from the longest (34) down to the shortest (15) is tried.
 */
function findIban(text: string): string | undefined {
  for (const start of text.matchAll(/(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}/g)) {
    let compact = "";
    const candidates: string[] = [];
    for (let i = start.index; i < text.length && compact.length < 34; i++) {
      const ch = text[i]!;
      if (ch === " " && /[A-Za-z0-9]/.test(text[i + 1] ?? "") && text[i - 1] !== " ") continue;
      if (!/[A-Za-z0-9]/.test(ch)) break;
      compact += ch;
      const next = text[i + 1];
      const atBoundary = next === undefined || !/[A-Za-z0-9]/.test(next) || next === " ";
      if (compact.length >= 15 && atBoundary) candidates.push(compact);
    }
    const valid = candidates.reverse().find(ibanValid);
    if (valid) return valid;
  }
  return undefined;
}

const lastFour = (value: string) => `…${value.replace(/[\s-]/g, "").slice(-4)}`;
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Compiles the settings once; the returned function checks one text. Invalid patterns throw here. */
export function compilePolicy(settings: PolicySettings): (text: string) => PolicyVerdict {
  const words = settings.blockedWords.filter(Boolean).map((w) => ({ w, re: new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(w)}(?=$|[^\\p{L}\\p{N}])`, "iu") }));
  const patterns = settings.blockedPatterns.filter(Boolean).map((p) => ({ p, re: new RegExp(p, "iu") }));
  return (text) => {
    if (settings.cardNumbers) {
      for (const m of text.matchAll(/(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])/g)) {
        const digits = m[0].replace(/[ -]/g, "");
        if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) {
          return { ok: false, rule: "a payment card number", hint: `a number ending ${lastFour(m[0])}` };
        }
      }
    }
    if (settings.ibans) {
      const iban = findIban(text);
      if (iban)
        return { ok: false, rule: "a bank account number (IBAN)", hint: `an IBAN starting ${iban.slice(0, 2).toUpperCase()} and ending ${lastFour(iban)}` };
    }
    for (const { w, re } of words) if (re.test(text)) return { ok: false, rule: `the blocked word “${w}”`, hint: `the word “${w}”` };
    for (const { p, re } of patterns) {
      const m = re.exec(text);
      if (m) return { ok: false, rule: `the blocked pattern /${p}/`, hint: `text matching /${p}/ (${m[0].length} characters)` };
    }
    return { ok: true };
  };
}
