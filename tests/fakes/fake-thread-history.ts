import type { WaMessageId } from "../../src/core/ids";
import type { PostLookup, ThreadHistory, ThreadLocation } from "../../src/core/ports/thread-history";

/** Answers what the test scripts (or throws it), and records every question. */
export class FakeThreadHistory implements ThreadHistory {
  readonly calls: Array<{ where: ThreadLocation; wamid: WaMessageId }> = [];

  constructor(private readonly answer: (wamid: WaMessageId) => PostLookup | Error) {}

  async findPost(where: ThreadLocation, wamid: WaMessageId): Promise<PostLookup> {
    this.calls.push({ where, wamid });
    const answer = this.answer(wamid);
    if (answer instanceof Error) throw answer;
    return answer;
  }
}
