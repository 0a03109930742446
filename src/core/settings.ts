import type { AadObjectId } from "./ids";

/** The bridge's behaviour settings (from configuration, handed in by the composition root). */
export interface BridgeSettings {
  /** Entra object ids allowed to link and unlink channels. */
  readonly admins: ReadonlySet<AadObjectId>;
  /** `all`: every reply in a customer thread is sent; `mention`: only replies that mention the bot. */
  readonly replyMode: "all" | "mention";
  /** A reply starting with this is an internal note, never sent. */
  readonly notePrefix: string;
}
