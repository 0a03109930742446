import type { Clock } from "../ports/clock";
import type { Logger } from "../ports/logger";
import type { Stores } from "../ports/stores";
import type { TeamsGateway } from "../ports/teams-gateway";
import type { WhatsAppGateway } from "../ports/whatsapp-gateway";
import type { BridgeSettings } from "../settings";

/** Everything a use case may call: ports only (the composition root supplies implementations). */
export interface BridgeDeps {
  readonly stores: Stores;
  readonly teams: TeamsGateway;
  readonly whatsapp: WhatsAppGateway;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: BridgeSettings;
}
