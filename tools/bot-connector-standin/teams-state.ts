/**
 * What Teams itself may refuse, as the Bot Connector answers it (docs/protocols.md B3, B13): the app removed from
 * a team (403 `BotNotInConversationRoster` for everything in its channels), a thread whose root was
 * deleted (404 `ConversationNotFound`), and posts Teams will not take (a rule a test sets, e.g. 400 for
 * formatted text or 413 for a long one).
 */

interface Refusal {
  readonly status: number;
  readonly body: { error: { code: string; message: string } };
}

const refusal = (status: number, code: string, message: string): Refusal => ({ status, body: { error: { code, message } } });

/** Decides, for a post's activity, whether Teams refuses it (undefined: accepted). */
export type PostRule = (activity: Record<string, unknown>) => { status: number; code: string; message: string } | undefined;

export class TeamsState {
  private readonly removedFrom = new Set<string>();
  private readonly goneThreads = new Set<string>();
  private postRule: PostRule | undefined;
  /** Refusals given so far, by code. */
  readonly refusals: Record<string, number> = {};

  /** The app is removed from the team of these channels (or added back). */
  setAppRemoved(channelIds: readonly string[], removed: boolean): void {
    for (const id of channelIds) removed ? this.removedFrom.add(id) : this.removedFrom.delete(id);
  }

  /** The thread's root message was deleted: posts into it are refused. */
  deleteThread(conversationId: string): void {
    this.goneThreads.add(conversationId);
  }

  setPostRule(rule: PostRule | undefined): void {
    this.postRule = rule;
  }

  /**
   * The refusal for a request addressed to `conversationId` (a channel or a thread in it), creating a
   * thread in `channelId`, or posting `activity`; undefined when Teams takes it.
   */
  check(request: { conversationId?: string; channelId?: string; activity?: Record<string, unknown> }): Refusal | undefined {
    const channel = request.channelId ?? request.conversationId?.split(";messageid=")[0];
    let answer: Refusal | undefined;
    if (channel && this.removedFrom.has(channel)) answer = refusal(403, "BotNotInConversationRoster", "The bot is not part of the conversation roster.");
    else if (request.conversationId && this.goneThreads.has(request.conversationId)) answer = refusal(404, "ConversationNotFound", "Conversation not found.");
    else if (request.activity && this.postRule) {
      const ruled = this.postRule(request.activity);
      if (ruled) answer = refusal(ruled.status, ruled.code, ruled.message);
    }
    if (answer) this.refusals[answer.body.error.code] = (this.refusals[answer.body.error.code] ?? 0) + 1;
    return answer;
  }
}
