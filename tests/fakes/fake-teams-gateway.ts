import { TeamsRefusal, type BridgeError } from "../../src/core/errors";
import { TeamsMessageId, threadRefOf, type TeamsThreadRef } from "../../src/core/ids";
import type { ChannelAddress } from "../../src/core/model";
import type { RootCardModel, TeamsGateway, ThreadPost } from "../../src/core/ports/teams-gateway";

/** Records what the core would post to Teams; failures can be scripted. */
export class FakeTeamsGateway implements TeamsGateway {
  readonly threads: Array<{ channel: ChannelAddress; root: RootCardModel; thread: TeamsThreadRef }> = [];
  readonly posts: Array<{ channel: ChannelAddress; thread: TeamsThreadRef; post: ThreadPost; id: TeamsMessageId }> = [];
  readonly rootUpdates: Array<{ thread: TeamsThreadRef; rootMessageId: TeamsMessageId; root: RootCardModel }> = [];
  private readonly failures: BridgeError[] = [];
  private readonly postFailures: Array<{ which: (post: ThreadPost) => boolean; error: BridgeError }> = [];
  private readonly postedThenFailures: BridgeError[] = [];
  private next = 1000;

  /** The next calls (either method) fail with these errors, in order. */
  failNext(...errors: BridgeError[]): void {
    this.failures.push(...errors);
  }

  async startThread(channel: ChannelAddress, root: RootCardModel) {
    this.throwIfScripted();
    this.refuseIfRemoved(channel);
    const rootMessageId = TeamsMessageId(String(this.next++));
    const thread = threadRefOf(channel.channelId, rootMessageId);
    this.threads.push({ channel, root, thread });
    return { thread, rootMessageId };
  }

  /** The next post that matches `which` fails with `error` (once). */
  failPostWhere(which: (post: ThreadPost) => boolean, error: BridgeError): void {
    this.postFailures.push({ which, error });
  }

  /** The next post is made, and then its answer is lost: the call fails with `error` (a timeout after Teams accepted it). */
  postThenFailNext(error: BridgeError): void {
    this.postedThenFailures.push(error);
  }

  async postInThread(channel: ChannelAddress, thread: TeamsThreadRef, post: ThreadPost) {
    this.throwIfScripted();
    this.refuseIfRemoved(channel, thread, post);
    const scripted = this.postFailures.findIndex((f) => f.which(post));
    if (scripted >= 0) throw this.postFailures.splice(scripted, 1)[0]!.error;
    const id = TeamsMessageId(String(this.next++));
    this.posts.push({ channel, thread, post, id });
    const lost = this.postedThenFailures.shift();
    if (lost) throw lost;
    return id;
  }

  async updateRootCard(_channel: ChannelAddress, thread: TeamsThreadRef, rootMessageId: TeamsMessageId, root: RootCardModel) {
    this.throwIfScripted();
    this.rootUpdates.push({ thread, rootMessageId, root });
  }

  /** The root card as last shown for `thread` (the latest update, else as posted). */
  latestRoot(thread: TeamsThreadRef): RootCardModel | undefined {
    return [...this.rootUpdates].reverse().find((u) => u.thread === thread)?.root ?? this.threads.find((t) => t.thread === thread)?.root;
  }

  /** Channels where Teams refuses the bot (the app was removed): every call there fails with `app-removed`. */
  readonly removedFrom = new Set<string>();
  probes = 0;

  async probe(channel: ChannelAddress) {
    this.probes++;
    this.throwIfScripted();
    if (this.removedFrom.has(channel.channelId)) throw new TeamsRefusal("app-removed", "teams.not_installed", "probe: 403 BotNotInConversationRoster");
  }

  /** Threads whose root was deleted: posts there fail with `thread-gone`. */
  readonly goneThreads = new Set<string>();
  /** Posts Teams refuses as malformed or too large (`post-refused`). */
  refusePost: (post: ThreadPost) => boolean = () => false;

  private refuseIfRemoved(channel: ChannelAddress, thread?: TeamsThreadRef, post?: ThreadPost): void {
    if (this.removedFrom.has(channel.channelId)) throw new TeamsRefusal("app-removed", "teams.not_installed", "403 BotNotInConversationRoster");
    if (thread && this.goneThreads.has(thread)) throw new TeamsRefusal("thread-gone", "teams.not_found", "404 ConversationNotFound", { thread });
    if (thread && post && this.refusePost(post)) throw new TeamsRefusal("post-refused", "teams.bad_request", "400 BadArgument", { thread });
  }

  private throwIfScripted(): void {
    const err = this.failures.shift();
    if (err) throw err;
  }
}
