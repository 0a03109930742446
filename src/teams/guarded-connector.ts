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
import { connectorThrottleKeys, type ConnectorRequestLike } from "./connector-throttle-keys";
import type { TeamsRateLimiter } from "./rate-limiter";
import { currentBotRequestScope } from "./request-scope";
import { allowedServiceUrlHost, hostForLog } from "./service-url";

/** How every outbound Bot Connector client is restricted. */
export interface ConnectorGuardOptions {
  /** Hosts (`name[:port]`) a serviceUrl may name; any other is refused before a connection is made. */
  readonly serviceUrlHosts: readonly string[];
  /** Per-request timeout; a hung connector must not block a contact's queue forever. */
  readonly requestTimeoutMs: number;
  readonly logger: Logger;
  /** Keeps every request under Teams' per-thread and per-tenant limits (protocols.md B13); none: unlimited. */
  readonly limiter?: TeamsRateLimiter;
}

/** Raised (inside botbuilder) when an activity or a stored channel names a serviceUrl that is not allowed. */
export class ServiceUrlRefusedError extends PermanentError {
  constructor(readonly host: string) {
    super("teams.service_url_refused", `serviceUrl host ${host} is not in the allowed list`);
  }
}

interface PipelineRequestLike extends ConnectorRequestLike {
  timeout: number;
}
interface PipelinePolicyLike {
  readonly name: string;
  sendRequest(request: PipelineRequestLike, next: (request: PipelineRequestLike) => Promise<unknown>): Promise<unknown>;
}
interface PipelineLike {
  removePolicy(options: { name?: string; phase?: string }): unknown;
  addPolicy(policy: PipelinePolicyLike, options?: { afterPhase?: string }): void;
}

/**
 * Makes a connector client do exactly one attempt per call, with a timeout, under Teams' rate limits and
 * without following redirects. The SDK's own retry policy would wait out Retry-After inside the call and retry POSTs after
 * network errors (duplicates); the core decides about retries instead, with the rate limits in view
 * (design.md §5). Reaches into the client's pipeline, which botbuilder does not expose: returns false
 * if the shape has changed.
 */
function makeSingleAttempt(connector: ConnectorClient, timeoutMs: number, limiter: TeamsRateLimiter | undefined, inTurn: boolean): boolean {
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
  if (limiter) {
    // Last before the wire (after the token is attached), so the time a request holds its place in
    // Teams' windows (rate-limiter.ts: from here until its answer) is as short as it can be.
    // A reply inside a turn goes ahead of queued proactive posts: Teams waits for the turn to end.
    pipeline.addPolicy({ name: "bridgeTeamsRateLimit", sendRequest: (request, next) => limiter.run(connectorThrottleKeys(request), () => next(request), { first: inTurn }) }, { afterPhase: "Sign" });
  }
  return true;
}

/** A ConnectorFactory that refuses hosts not on the list and hands out single-attempt clients. */
class GuardedConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly options: ConnectorGuardOptions,
    /** Clients already made for this identity (proactive calls), by `identity`, serviceUrl and audience. */
    private readonly reuse?: { readonly clients: ClientCache<ConnectorClient>; readonly identity: string },
  ) {
    super();
  }

  override async create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    if (!allowedServiceUrlHost(serviceUrl, this.options.serviceUrlHosts)) {
      const host = hostForLog(serviceUrl);
      const scope = currentBotRequestScope();
      if (scope) scope.refusedServiceUrlHost = host;
      throw new ServiceUrlRefusedError(host);
    }
    if (!this.reuse) return this.guarded(serviceUrl, audience);
    return this.reuse.clients.get(`${this.reuse.identity}\n${serviceUrl}\n${audience ?? ""}`, () => this.guarded(serviceUrl, audience));
  }

  private async guarded(serviceUrl: string, audience: string | undefined): Promise<ConnectorClient> {
    const connector = await this.inner.create(serviceUrl, audience);
    // Proactive clients are the reused ones; the others serve an inbound turn.
    if (!makeSingleAttempt(connector, this.options.requestTimeoutMs, this.options.limiter, this.reuse === undefined)) {
      this.options.logger.warn("teams.connector.pipeline_unknown", { detail: "could not disable SDK retries nor add the rate limiter; calls may be retried inside botbuilder and throttled by Teams" });
    }
    return connector;
  }
}

/**
 * A few SDK clients kept by key, oldest dropped first. A failed creation is not kept. The values are
 * promises so that concurrent first calls share one client.
 */
export class ClientCache<T> {
  private readonly entries = new Map<string, Promise<T>>();

  constructor(private readonly capacity: number) {}

  get(key: string, create: () => Promise<T>): Promise<T> {
    const cached = this.entries.get(key);
    if (cached) return cached;
    const made = create();
    this.entries.set(key, made);
    made.catch(() => { if (this.entries.get(key) === made) this.entries.delete(key); });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return made;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A claims identity as a cache key: every claim counts (app id, audience, service URL, …). */
function identityKey(identity: ClaimsIdentity): string {
  return JSON.stringify([identity.isAuthenticated, identity.claims.map((c) => [c.type, c.value])]);
}

/**
 * Wraps botbuilder's BotFrameworkAuthentication so that every ConnectorFactory it creates (for inbound
 * turns and for proactive calls) is guarded. Authentication itself is delegated unchanged.
 *
 * botbuilder builds a new connector client and a new user-token client, each with its own HTTP pipeline
 * and connection pool, for every proactive call: under a burst that is a new connection (in production a
 * TLS handshake) per post, and hundreds of idle sockets and pipelines left for the collector. Proactive
 * calls of one identity therefore share their clients (the identity's claims, the serviceUrl and the
 * audience are the key, so nothing is shared that botbuilder would have built differently). Inbound
 * turns keep botbuilder's per-turn connector clients (their user-token clients are kept by the token's
 * claims, so they are seldom shared, and the cache is bounded).
 */
export class GuardedBotFrameworkAuthentication extends BotFrameworkAuthentication {
  private readonly connectors = new ClientCache<ConnectorClient>(32);
  private readonly userTokenClients = new ClientCache<UserTokenClient>(8);

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
    const reuse = { clients: this.connectors, identity: identityKey(claimsIdentity) };
    return new GuardedConnectorFactory(this.inner.createConnectorFactory(claimsIdentity), this.options, reuse);
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.userTokenClients.get(identityKey(claimsIdentity), () => this.inner.createUserTokenClient(claimsIdentity));
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.inner.authenticateChannelRequest(authHeader);
  }
}
