import {
  BotFrameworkAuthentication,
  ConnectorFactory,
  type AuthenticateRequestResult,
  type ClaimsIdentity,
  type ConnectorClient,
  type UserTokenClient,
} from "botframework-connector";
import type { Activity } from "botbuilder";
import { PermanentError } from "../core/errors";
import type { Logger } from "../core/ports/logger";
import { currentBotRequestScope } from "./request-scope";
import { allowedServiceUrlHost, hostForLog } from "./service-url";

/** How every outbound Bot Connector client is restricted. */
export interface ConnectorGuardOptions {
  /** Hosts (`name[:port]`) a serviceUrl may name; any other is refused before a connection is made. */
  readonly serviceUrlHosts: readonly string[];
  /** Per-request timeout; a hung connector must not block a contact's queue forever. */
  readonly requestTimeoutMs: number;
  readonly logger: Logger;
}

/** Raised (inside botbuilder) when an activity or a stored channel names a serviceUrl that is not allowed. */
export class ServiceUrlRefusedError extends PermanentError {
  constructor(readonly host: string) {
    super("teams.service_url_refused", `serviceUrl host ${host} is not in the allowed list`);
  }
}

interface PipelinePolicyLike {
  readonly name: string;
  sendRequest(request: { timeout: number }, next: (request: { timeout: number }) => Promise<unknown>): Promise<unknown>;
}
interface PipelineLike {
  removePolicy(options: { name?: string; phase?: string }): unknown;
  addPolicy(policy: PipelinePolicyLike): void;
}

/**
 * Makes a connector client do exactly one attempt per call, with a timeout and without following
 * redirects. The SDK's own retry policy would wait out Retry-After inside the call and retry POSTs after
 * network errors (duplicates); the core decides about retries instead, with the rate limits in view
 * (design.md §5). Reaches into the client's pipeline, which botbuilder does not expose: returns false
 * if the shape has changed.
 */
function makeSingleAttempt(connector: ConnectorClient, timeoutMs: number): boolean {
  const pipeline = (connector as unknown as { client?: { pipeline?: Partial<PipelineLike> } }).client?.pipeline;
  if (typeof pipeline?.removePolicy !== "function" || typeof pipeline.addPolicy !== "function") return false;
  pipeline.removePolicy({ phase: "Retry" });
  pipeline.removePolicy({ name: "redirectPolicy" });
  pipeline.addPolicy({
    name: "bridgeRequestTimeout",
    sendRequest: (request, next) => {
      if (!request.timeout) request.timeout = timeoutMs;
      return next(request);
    },
  });
  return true;
}

/** A ConnectorFactory that refuses hosts not on the list and hands out single-attempt clients. */
class GuardedConnectorFactory extends ConnectorFactory {
  constructor(private readonly inner: ConnectorFactory, private readonly options: ConnectorGuardOptions) {
    super();
  }

  override async create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    if (!allowedServiceUrlHost(serviceUrl, this.options.serviceUrlHosts)) {
      const host = hostForLog(serviceUrl);
      const scope = currentBotRequestScope();
      if (scope) scope.refusedServiceUrlHost = host;
      throw new ServiceUrlRefusedError(host);
    }
    const connector = await this.inner.create(serviceUrl, audience);
    if (!makeSingleAttempt(connector, this.options.requestTimeoutMs)) {
      this.options.logger.warn("teams.connector.pipeline_unknown", { detail: "could not disable SDK retries; calls may be retried inside botbuilder" });
    }
    return connector;
  }
}

/**
 * Wraps botbuilder's BotFrameworkAuthentication so that every ConnectorFactory it creates (for inbound
 * turns and for proactive calls) is guarded. Authentication itself is delegated unchanged.
 */
export class GuardedBotFrameworkAuthentication extends BotFrameworkAuthentication {
  constructor(private readonly inner: BotFrameworkAuthentication, private readonly options: ConnectorGuardOptions) {
    super();
  }

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    const result = await this.inner.authenticateRequest(activity, authHeader);
    return result.connectorFactory ? { ...result, connectorFactory: new GuardedConnectorFactory(result.connectorFactory, this.options) } : result;
  }

  override async authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    const result = await this.inner.authenticateStreamingRequest(authHeader, channelIdHeader);
    return result.connectorFactory ? { ...result, connectorFactory: new GuardedConnectorFactory(result.connectorFactory, this.options) } : result;
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return new GuardedConnectorFactory(this.inner.createConnectorFactory(claimsIdentity), this.options);
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.inner.createUserTokenClient(claimsIdentity);
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.inner.authenticateChannelRequest(authHeader);
  }
}
