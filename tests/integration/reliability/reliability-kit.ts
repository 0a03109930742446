import { AadObjectId, BusinessNumberId, TeamsChannelId, TenantId } from "../../../src/core/ids";
import type { ChannelLink } from "../../../src/core/model";
import { EXAMPLE_BUSINESS } from "../../../tools/sign-webhook";
import { ADMIN_AAD, CHANNEL_ID, TENANT_ID } from "../../support/bridge-harness";

export const BUSINESS = BusinessNumberId(EXAMPLE_BUSINESS.phoneNumberId);
export const MARIA = { phone: "5511987654321", userId: "BR.1873409921457730218", name: "Maria Souza" };

/** The link an admin's `link` command would store, pointing at a Bot Connector stand-in. */
export function channelLink(serviceUrl: string): ChannelLink {
  return {
    business: BUSINESS,
    channel: { channelId: TeamsChannelId(CHANNEL_ID), tenantId: TenantId(TENANT_ID), serviceUrl },
    linkedBy: AadObjectId(ADMIN_AAD),
    linkedAt: Date.now(),
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 100 ms until it holds; fails with `what` after `ms`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for: ${what}`);
    await sleep(100);
  }
}
