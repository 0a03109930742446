import type { StaffNotice } from "../../src/core/notices";
import type { ThreadPost } from "../../src/core/ports/teams-gateway";
import type { StaffReply } from "../../src/core/staff-message";
import { sayNotice } from "../../src/teams/wording";

/**
 * What staff read, for tests of the core: its notices rendered through the Teams adapter's catalogue
 * (src/teams/wording.ts), the one place their words live.
 */

/** The sentence of a notice; "" for none. */
export const noticeText = (notice: StaffNotice | undefined): string => (notice ? sayNotice(notice).text : "");

/** The sentence of a reply that is a notice; "" for anything else. */
export const replyText = (reply: StaffReply | undefined): string => (reply?.kind === "notice" ? sayNotice(reply.notice).text : "");

/** The sentence of a thread post that is a notice; "" for anything else. */
export const postText = (post: ThreadPost): string => (post.kind === "notice" ? sayNotice(post.notice).text : "");
