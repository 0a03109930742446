import type { ContactKey, WaMessageId } from "../../src/core/ids";
import type { ChannelLocation, PostLookup, RootLookup, ThreadHistory, ThreadLocation } from "../../src/core/ports/thread-history";

/** Answers what the test scripts (or throws it), and records every question. */
export class FakeThreadHistory implements ThreadHistory {
  readonly calls: Array<{ where: ThreadLocation; wamid: WaMessageId }> = [];
  readonly rootCalls: Array<{ where: ChannelLocation; contact: ContactKey; since: number }> = [];

  constructor(
    private readonly answer: (wamid: WaMessageId) => PostLookup | Error,
    private readonly rootAnswer: (contact: ContactKey) => RootLookup | Error = () => ({ kind: "unknown", why: "not scripted" }),
  ) {}

  async findPost(where: ThreadLocation, wamid: WaMessageId): Promise<PostLookup> {
    this.calls.push({ where, wamid });
    const answer = this.answer(wamid);
    if (answer instanceof Error) throw answer;
    return answer;
  }

  async findThreadRoot(where: ChannelLocation, contact: ContactKey, since: number): Promise<RootLookup> {
    this.rootCalls.push({ where, contact, since });
    const answer = this.rootAnswer(contact);
    if (answer instanceof Error) throw answer;
    return answer;
  }
}
