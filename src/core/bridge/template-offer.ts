import { describeError } from "../errors";
import type { TemplateReason } from "../notices";
import { say, type StaffReply } from "../staff-message";
import { templateId } from "../templates";
import type { BridgeContext } from "./context";

/**
 * The first step of the template card, or a notice if no template can be offered. In a group (`group`),
 * authentication templates are left out: WhatsApp does not deliver them to groups. Offered when staff
 * ask, when a reply meets a closed window, and by the outbox when WhatsApp reports a sent message refused
 * for that reason: hence its place beside the folders of both.
 */
export async function templatePicker(ctx: BridgeContext, reason?: TemplateReason, group = false): Promise<StaffReply> {
  try {
    const templates = (await ctx.templates.list()).filter((t) => !group || t.category !== "AUTHENTICATION");
    if (templates.length === 0) return say({ kind: "no-templates", ...(reason ? { reason } : {}) });
    return {
      kind: "template-card",
      card: {
        step: "pick",
        ...(reason ? { reason } : {}),
        templates: templates.map((t) => ({ id: templateId(t), label: `${t.name} (${t.language}, ${t.category.toLowerCase()})` })),
      },
    };
  } catch (err) {
    ctx.logger.warn("whatsapp.templates.list_failed", { error: describeError(err) });
    return say({ kind: "templates-unavailable", ...(reason ? { reason } : {}) });
  }
}
