import {
  BotFrameworkAuthentication,
  ConnectorFactory,
  type AuthenticateRequestResult,
  type ClaimsIdentity,
  type ConnectorClient,
  type UserTokenClient,
} from "botframework-connector";
import type { Activity } from "botbuilder";
import { ServiceUrlRefusedError } from "./connector-http-client";
import type { TeamsRateLimiter } from "./rate-limiter";
import { botbuilderAuthenticated, botbuilderRefused } from "./request-scope";
import { allowedServiceUrlHost, hostForLog } from "./service-url";

/** How the Bot Connector clients of a process are restricted (see connector-http-client.ts for the wire). */
export interface ConnectorGuardOptions {
  /** Hosts (`name[:port]`) a serviceUrl may name; any other is refused before a connection is made. */
  readonly serviceUrlHosts: readonly string[];
  /** Per-request timeout; a hung connector must not block a contact's queue forever. */
  readonly requestTimeoutMs: number;
  /** Keeps every request under Teams' per-thread and per-tenant limits (docs/protocols.md B13); none: unlimited. */
  readonly limiter?: TeamsRateLimiter;
}

export { ServiceUrlRefusedError };

/**
 * A ConnectorFactory that refuses hosts not on the list before botbuilder builds a client (so an inbound
 * activity naming another host is answered 403, messages-route.ts) and, for proactive calls, reuses
 * the clients it made.
 */
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
      botbuilderRefused({ serviceUrlHost: host });
      throw new ServiceUrlRefusedError(host);
    }
    if (!this.reuse) return this.inner.create(serviceUrl, audience);
    return this.reuse.clients.get(`${this.reuse.identity}\n${serviceUrl}\n${audience ?? ""}`, () => this.inner.create(serviceUrl, audience));
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
    made.catch(() => {
      if (this.entries.get(key) === made) this.entries.delete(key);
    });
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
 * turns and for proactive calls) is guarded. Authentication itself is botbuilder's, unchanged; only its
 * outcome is noted for the request (request-scope.ts). `proactive`, when given, serves proactive calls
 * (its clients' requests do not go ahead of turn replies); `inner` serves inbound turns.
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

  constructor(
    private readonly inner: BotFrameworkAuthentication,
    private readonly options: ConnectorGuardOptions,
    private readonly proactive: BotFrameworkAuthentication = inner,
  ) {
    super();
  }

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    return this.guarded(await botbuilderAuthenticated(() => this.inner.authenticateRequest(activity, authHeader)));
  }

  override async authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    return this.guarded(await botbuilderAuthenticated(() => this.inner.authenticateStreamingRequest(authHeader, channelIdHeader)));
  }

  private guarded(result: AuthenticateRequestResult): AuthenticateRequestResult {
    return result.connectorFactory ? { ...result, connectorFactory: new GuardedConnectorFactory(result.connectorFactory, this.options) } : result;
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    const reuse = { clients: this.connectors, identity: identityKey(claimsIdentity) };
    return new GuardedConnectorFactory(this.proactive.createConnectorFactory(claimsIdentity), this.options, reuse);
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
