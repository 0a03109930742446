/** Default keywords (design: the common STOP words of the markets served; configurable). */
export const DEFAULT_STOP_KEYWORDS = ["STOP", "UNSUBSCRIBE", "STOPP", "ARRÊT", "BAJA", "PARAR"] as const;
export const DEFAULT_START_KEYWORDS = ["START"] as const;

const normalise = (text: string) =>
  text
    .normalize("NFC")
    .trim()
    .replace(/[.!]+$/, "")
    .toLocaleUpperCase("und");

/**
 * What a customer message says about consent to business-initiated messages: only a message that is
 * exactly a keyword counts ("stop" or "STOP!" yes; "please stop calling me" no), case-insensitively.
 */
export function consentKeyword(text: string, keywords: { stop: readonly string[]; start: readonly string[] }): "stop" | "start" | undefined {
  const word = normalise(text);
  if (!word) return undefined;
  if (keywords.stop.some((k) => normalise(k) === word)) return "stop";
  if (keywords.start.some((k) => normalise(k) === word)) return "start";
  return undefined;
}
