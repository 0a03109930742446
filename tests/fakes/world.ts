import { BridgeService } from "../../src/core/bridge/bridge-service";
import type { BridgeDeps } from "../../src/core/bridge/context";
import { paragraph } from "../../src/core/formatted-text";
import {
  AadObjectId,
  BusinessNumberId,
  contactKeyOf,
  TeamsChannelId,
  TeamsMessageId,
  TeamsUserId,
  TenantId,
  WaMessageId,
  WaPhone,
  WaUserId,
  type TeamsThreadRef,
} from "../../src/core/ids";
import type { InboundMessage } from "../../src/core/messages";
import type { StaffMessage } from "../../src/core/staff-message";
import { MemoryStores } from "../../src/storage/memory/memory-stores";
import { CaptureLogger } from "../support/capture-logger";
import { FakeStaffDirectory } from "./fake-staff-directory";
import { FakeTeamsGateway } from "./fake-teams-gateway";
import { FakeWhatsAppGateway } from "./fake-whatsapp-gateway";
import { ManualClock } from "./manual-clock";

export const BUSINESS = BusinessNumberId("106540352242922");
export const CHANNEL = TeamsChannelId("19:whatsapp@thread.tacv2");
export const TENANT = TenantId("72f988bf-0000-0000-0000-000000000001");
export const ADMIN = AadObjectId("00000000-0000-0000-0000-0000000000ad");
export const STAFF = AadObjectId("00000000-0000-0000-0000-00000000057a");

/** The core wired to in-memory stores and recording gateways: the unit-test world (`extra`: optional ports, e.g. a journal). */
export function makeWorld(
  settings: Partial<BridgeDeps["settings"]> = {},
  extra: Pick<Partial<BridgeDeps>, "journal" | "leadership" | "threadHistory" | "media"> = {},
) {
  const stores = new MemoryStores();
  const teams = new FakeTeamsGateway();
  const whatsapp = new FakeWhatsAppGateway();
  const clock = new ManualClock();
  const logger = new CaptureLogger();
  const staff = new FakeStaffDirectory();
  const deps: BridgeDeps = {
    stores,
    teams,
    whatsapp,
    clock,
    logger,
    staff,
    settings: { admins: new Set([ADMIN]), replyMode: "all", notePrefix: "//", ...settings },
    ...extra,
  };
  return { deps, stores, teams, whatsapp, clock, logger, staff, bridge: new BridgeService(deps) };
}

let seq = 0;
/** A text message from a customer (phone + BSUID unless overridden). */
export function customerText(
  body: string,
  options: { phone?: string | null; userId?: string; name?: string; timestamp?: number; id?: string } = {},
): InboundMessage {
  const phone = options.phone === null ? undefined : WaPhone(options.phone ?? "5511987654321");
  const userId = WaUserId(options.userId ?? "BR.1873409921457730218");
  return {
    type: "message",
    business: BUSINESS,
    id: WaMessageId(options.id ?? `wamid.test${++seq}`),
    contact: {
      key: contactKeyOf(BUSINESS, { userId, ...(phone ? { phone } : {}) }),
      userId,
      ...(phone ? { phone } : {}),
      profileName: options.name ?? "Maria Souza",
    },
    timestamp: options.timestamp ?? 1_789_300_000 + seq,
    content: { kind: "text", body: paragraph(body), raw: body },
  };
}

/** A staff message in a channel (a new post unless `thread` is given). */
export function staffMessage(
  text: string,
  options: { thread?: TeamsThreadRef; author?: AadObjectId; mentionsBot?: boolean; attachments?: number; channel?: TeamsChannelId } = {},
): StaffMessage {
  const id = TeamsMessageId(String(++seq + 5000));
  const channel = options.channel ?? CHANNEL;
  const thread = options.thread ?? (`${channel};messageid=${id}` as TeamsThreadRef);
  return {
    tenantId: TENANT,
    channelId: channel,
    serviceUrl: "https://smba.trafficmanager.net/emea/",
    channelName: "WhatsApp",
    thread,
    isThreadRoot: !options.thread,
    messageId: id,
    author: { aadObjectId: options.author ?? STAFF, id: TeamsUserId(`29:${options.author ?? STAFF}`), name: "Sam Staff" },
    body: paragraph(text),
    text,
    mentionsBot: options.mentionsBot ?? false,
    attachmentCount: options.attachments ?? 0,
  };
}
