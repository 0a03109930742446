import type { Clock } from "../ports/clock";
import type { Logger } from "../ports/logger";
import type { Metrics } from "../ports/metrics";
import type { Stores } from "../ports/stores";
import type { TeamsGateway } from "../ports/teams-gateway";
import type { WhatsAppGateway } from "../ports/whatsapp-gateway";
import type { BridgeSettings } from "../settings";
import type { OutboundPacer } from "./outbox/pacer";
import type { PolicyVerdict } from "../rules/outbound-policy";
import type { TemplateCatalog } from "./from-teams/template-catalog";
import type { MediaStore } from "../ports/media-store";
import type { FollowUpScheduler } from "./scheduling/follow-ups";
import type { Leadership } from "../ports/leadership";
import type { WebhookJournal } from "../ports/webhook-journal";
import type { ThreadHistory } from "../ports/thread-history";
import type { StaffDirectory } from "../ports/staff-directory";
import type { ComplianceStore } from "../ports/compliance-store";
import type { ComplianceGateway } from "../ports/compliance-gateway";
import type { RecordChecks } from "../ports/record-checks";

/** What the compliance channel needs (bridge/compliance): where it is, how to post there, what to read. */
export interface ComplianceDeps {
  readonly store: ComplianceStore;
  readonly gateway: ComplianceGateway;
  readonly records: RecordChecks;
  /** The completeness check is posted every this many hours (COMPLIANCE_AUDIT_HOURS). */
  readonly auditEveryHours: number;
  /** This process, as its claims on a scheduled post name it. */
  readonly instance: string;
}

/** Everything a use case may call: ports only (the composition root supplies implementations). */
export interface BridgeDeps {
  readonly stores: Stores;
  readonly teams: TeamsGateway;
  readonly whatsapp: WhatsAppGateway;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: BridgeSettings;
  /** Who may act for the firm (team rosters, groups, channel types): every staff action that reaches a customer is checked there. */
  readonly staff: StaffDirectory;
  /** Where customers' files are kept; without one, media are recorded as "not kept". */
  readonly media?: MediaStore;
  /** The raw webhook journal; `ingest` with a raw delivery needs one (compose always gives it). */
  readonly journal?: WebhookJournal;
  /** Whether this instance may process work; default: always (a single instance). */
  readonly leadership?: Leadership;
  /**
   * Reads a thread back after a crash (is the post cut short already there?); without one, such a post
   * is posted again and flagged as a possible duplicate.
   */
  readonly threadHistory?: ThreadHistory;
  /** Counters and histograms (metric-catalogue.ts); default: none recorded. */
  readonly metrics?: Metrics;
  /** The compliance channel and its scheduled posts; without it `compliance here` and `audit` say they are unavailable. */
  readonly compliance?: ComplianceDeps;
}

/** What the bridge service builds from the ports and settings, shared by the use cases. */
export interface BridgeContext extends BridgeDeps {
  /** Always set (`NO_METRICS` when the deps give none); `teams` and `whatsapp` are measured (measured-gateways.ts). */
  readonly metrics: Metrics;
  /** Every outbound send goes through here (Meta's pair rate and throughput limits). */
  readonly pacer: OutboundPacer;
  readonly templates: TemplateCatalog;
  /** The outbound policy, compiled once. */
  readonly checkPolicy: (text: string) => PolicyVerdict;
  /** Keeps track of work that outlives the request that started it (so `idle()` and shutdown can wait). */
  readonly background: (work: Promise<unknown>) => void;
  /** Parked events (reactions before their target) and media retries. */
  readonly followUps?: FollowUpScheduler;
  /** Called when an event is held for a suspended link: the link probe starts looking. */
  readonly linkSuspended?: () => void;
}
