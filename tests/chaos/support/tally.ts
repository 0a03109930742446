import type { RecordedPost } from "../../../tools/bot-connector-standin";
import { WAMID_PATTERN, type ChaosMessage } from "./workload";

/** The outcome of a chaos run, counted from what reached the Bot Connector stand-in. */
export interface Tally {
  readonly sent: number;
  /** Distinct messages posted at least once. */
  readonly received: number;
  readonly lost: number;
  /** Extra posts of a message already posted (flag notices not counted). */
  readonly duplicated: number;
  /** Of those, how many are flagged: the copy carries the flag itself (or a notice names the wamid). */
  readonly duplicatesFlagged: number;
  /** Posts flagged as a possible duplicate (also when no duplicate resulted). */
  readonly flags: number;
  /** First posts of a message that came after a later message of the same contact. */
  readonly outOfOrder: number;
  /** Contacts whose messages went to more than one thread. */
  readonly splitThreads: number;
  /** Posting order of some contacts whose messages were out of order (at most 5), e.g. `c3: 1 3 2 4 5`. */
  readonly orderSample: readonly string[];
  /** Wamids posted more than once (at most 10). */
  readonly duplicateSample: readonly string[];
  /** Wamids lost, for the failure message (at most 10). */
  readonly lostSample: readonly string[];
}

/** The text of a posted activity (what Teams shows and retains). */
function textOf(post: RecordedPost): string {
  const text = post.activity.text;
  return typeof text === "string" ? text : "";
}

/** A customer message as posted: the text the workload sent (`message <seq> <wamid>`). */
const MESSAGE_PATTERN = new RegExp(`message \\d+ (${WAMID_PATTERN.source})`);

/**
 * A post that names a chaos wamid without carrying the customer's message: the bridge's notice flagging a
 * possible duplicate (it quotes the WhatsApp id).
 */
export function isDuplicateFlag(post: RecordedPost): boolean {
  return WAMID_PATTERN.test(textOf(post)) && !MESSAGE_PATTERN.test(textOf(post));
}

/**
 * Counts `sent` against `posts` (in the order the stand-in accepted them). Exactly-once is judged by the
 * wamid marker in each posted text, order by the marker's position in the contact's conversation.
 */
export function tally(tag: string, sent: readonly ChaosMessage[], posts: readonly RecordedPost[]): Tally {
  const copies = new Map<string, number>();
  const flagged = new Set<string>();
  let flags = 0;
  const lastSeq = new Map<number, number>();
  const threads = new Map<number, Set<string>>();
  const orders = new Map<number, number[]>();
  const disordered = new Set<number>();
  let outOfOrder = 0;
  for (const post of posts) {
    const any = WAMID_PATTERN.exec(textOf(post));
    if (!any || any[1] !== tag) continue;
    const match = MESSAGE_PATTERN.exec(textOf(post));
    if (!match) {
      flagged.add(any[0]);
      flags++;
      continue;
    }
    const wamid = match[1]!;
    // A second attempt carries its own flag (on-whatsapp-event postOnce).
    if (textOf(post).includes("may appear twice")) {
      flagged.add(wamid);
      flags++;
    }
    const contact = Number(match[3]);
    const seq = Number(match[4]);
    const seen = copies.get(wamid) ?? 0;
    copies.set(wamid, seen + 1);
    (threads.get(contact) ?? threads.set(contact, new Set()).get(contact)!).add(post.conversationId);
    (orders.get(contact) ?? orders.set(contact, []).get(contact)!).push(seq);
    if (seen > 0) continue;
    if (seq < (lastSeq.get(contact) ?? 0)) {
      outOfOrder++;
      disordered.add(contact);
    }
    lastSeq.set(contact, Math.max(seq, lastSeq.get(contact) ?? 0));
  }
  const lostWamids = sent.filter((m) => !copies.has(m.wamid)).map((m) => m.wamid);
  let duplicated = 0;
  let duplicatesFlagged = 0;
  for (const [wamid, n] of copies) {
    if (n <= 1) continue;
    duplicated += n - 1;
    if (flagged.has(wamid)) duplicatesFlagged += n - 1;
  }
  return {
    sent: sent.length,
    received: copies.size,
    lost: lostWamids.length,
    duplicated,
    duplicatesFlagged,
    flags,
    outOfOrder,
    splitThreads: [...threads.values()].filter((t) => t.size > 1).length,
    orderSample: [...disordered].slice(0, 5).map((c) => `c${c}: ${orders.get(c)!.join(" ")}`),
    duplicateSample: [...copies]
      .filter(([, n]) => n > 1)
      .slice(0, 10)
      .map(([w]) => w),
    lostSample: lostWamids.slice(0, 10),
  };
}
