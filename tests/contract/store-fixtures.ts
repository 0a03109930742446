import { paragraph } from "../../src/core/formatted-text";
import {
  AadObjectId,
  BusinessNumberId,
  contactKeyOf,
  TeamsChannelId,
  TeamsMessageId,
  TeamsTeamId,
  TenantId,
  threadRefOf,
  WaMessageId,
  WaPhone,
  WaUserId,
  type ContactKey,
  type TeamsThreadRef,
} from "../../src/core/ids";
import { eventKeyOf, type InboundMessage } from "../../src/core/messages";
import type { ChannelLink, Conversation, InboxEntry, MessageLink } from "../../src/core/model";

/** Builders of valid store values for the contract suite; every field can be overridden. */

export const BUSINESS = BusinessNumberId("106540352242922");
export const OTHER_BUSINESS = BusinessNumberId("209876543210987");
export const CHANNEL = TeamsChannelId("19:a1b2c3d4e5@thread.tacv2");
export const OTHER_CHANNEL = TeamsChannelId("19:ffeeddccbb@thread.tacv2");

/** A wamid as Meta sends them: base64 with `/`, `+` and `=`. */
export const AWKWARD_WAMID = WaMessageId("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=/+x/y+z==");

export function contact(id = "15551230001", business = BUSINESS): ContactKey {
  return contactKeyOf(business, { phone: WaPhone(id) });
}

export function thread(root = "1700000000001", channel = CHANNEL): TeamsThreadRef {
  return threadRefOf(channel, TeamsMessageId(root));
}

export function link(overrides: Partial<ChannelLink> = {}): ChannelLink {
  return {
    business: BUSINESS,
    channel: {
      channelId: CHANNEL,
      tenantId: TenantId("72f988bf-86f1-41af-91ab-2d7cd011db47"),
      serviceUrl: "https://smba.trafficmanager.net/emea/",
      teamId: TeamsTeamId("19:team@thread.tacv2"),
      channelName: "Support 🇩🇪 Größe",
    },
    linkedBy: AadObjectId("00000000-0000-0000-0000-0000000000aa"),
    linkedAt: 1_764_000_000_123,
    displayNumber: "+1 555-0100",
    ...overrides,
  };
}

export function conversation(overrides: Partial<Conversation> = {}): Conversation {
  return {
    contact: contact(),
    business: BUSINESS,
    state: "creating",
    userId: WaUserId("US.13491208655302741918"),
    phone: WaPhone("15551230001"),
    profileName: "Zoë 🌍 李",
    createdAt: 1_764_000_000_456,
    ...overrides,
  };
}

export function messageLink(overrides: Partial<MessageLink> = {}): MessageLink {
  return {
    business: BUSINESS,
    wamid: WaMessageId("wamid.HBgLMTU1NTEyMzAwMDE="),
    thread: thread(),
    teamsMessageId: TeamsMessageId("1700000000999"),
    contact: contact(),
    direction: "inbound",
    at: 1_764_000_001_000,
    ...overrides,
  };
}

export function inboundText(overrides: Partial<InboundMessage> = {}, text = "Hallo 👋 — ça va? 你好"): InboundMessage {
  return {
    type: "message",
    business: BUSINESS,
    id: WaMessageId("wamid.HBgLMTU1NTEyMzAwMDE="),
    contact: { key: contact(), phone: WaPhone("15551230001"), profileName: "Zoë 🌍" },
    timestamp: 1_764_000_000,
    content: { kind: "text", body: paragraph(text), raw: text },
    ...overrides,
  };
}

export function inboxEntry(event: InboundMessage = inboundText(), overrides: Partial<InboxEntry> = {}): InboxEntry {
  return { business: event.business, key: eventKeyOf(event), event, state: "pending", receivedAt: 1_764_000_000_500, ...overrides };
}
