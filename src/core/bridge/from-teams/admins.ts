import type { AdminAction } from "../../notices";
import type { StaffMessage, StaffReply } from "../../staff-message";
import type { BridgeDeps } from "../context";
import { say } from "./staff-replies";

/** True when the message's author is a bridge admin (BRIDGE_ADMINS), by Entra object id. */
export function isAdmin(ctx: BridgeDeps, message: StaffMessage): boolean {
  return message.author.aadObjectId !== undefined && ctx.settings.admins.has(message.author.aadObjectId);
}

/** The answer to someone else trying an admin command, logged as a refusal. */
export function refusal(ctx: BridgeDeps, message: StaffMessage, action: AdminAction): StaffReply {
  ctx.logger.warn("teams.command.refused", { action, tenantId: message.tenantId, user: message.author.aadObjectId ?? "unknown" });
  return say({ kind: "admins-only", action });
}
