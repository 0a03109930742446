import type { Activity, TurnContext } from "botbuilder";
import { describeError } from "../core/errors";
import { TenantId } from "../core/ids";
import type { Logger } from "../core/ports/logger";
import type { StaffMessageHandler } from "../core/staff-message";
import { tenantOf } from "./activity-mapper";

/**
 * True for the activities by which Teams says the app was added to a team (docs/protocols.md B3): an
 * `installationUpdate` whose action is `add` or `add-upgrade`, or a `conversationUpdate` with the bot
 * itself among `membersAdded`.
 */
export function isAppInstalled(activity: Partial<Activity>): boolean {
  if (activity.type === "installationUpdate") return /^add/i.test(String(activity.action ?? ""));
  if (activity.type === "conversationUpdate") {
    const botId = activity.recipient?.id;
    return !!botId && (activity.membersAdded ?? []).some((m) => m?.id === botId);
  }
  return false;
}

/** Tells the core the app is (back) in a team of this tenant, so suspended links there resume at once. */
export async function handleAppInstalled(ctx: TurnContext, handler: StaffMessageHandler, logger: Logger): Promise<void> {
  const tenant = tenantOf(ctx.activity);
  if (!tenant || !handler.onAppInstalled) return;
  try {
    await handler.onAppInstalled({ tenantId: TenantId(tenant) });
  } catch (err) {
    logger.error("teams.app_installed.failed", { error: describeError(err) });
  }
}
