import type { Logger } from 'pino';
import { maxPagesFor, systemClock } from '../connector/index.js';
import type {
  CallOptions,
  Clock,
  Connector,
  ConnectorMetadata,
  ResourceSyncer,
  ValidateResult,
} from '../connector/index.js';
import { FivetranApi } from './api.js';
import {
  FivetranClient,
  PAGE_LIMIT,
  type FivetranClientMetrics,
  type OutboundAgents,
  type SecretInput,
} from './client.js';
import {
  ConnectionSyncer,
  DEFAULT_CONNECTION_USER_SCAN,
  type ConnectionUserScan,
} from './connection-syncer.js';
import type { FivetranContext } from './fivetran-context.js';
import { GroupSyncer } from './group-syncer.js';
import { KeyOwner } from './key-owner.js';
import { RoleCatalogue } from './role-catalogue.js';
import { RoleSyncer } from './role-syncer.js';
import { SystemKeySyncer } from './system-key-syncer.js';
import { TeamSyncer } from './team-syncer.js';
import { UserSyncer } from './user-syncer.js';

export interface FivetranConnectorOptions {
  readonly baseUrl: string;
  readonly apiKey: SecretInput;
  readonly apiSecret: SecretInput;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly log: Logger;
  /** The daemon's version, sent as `User-Agent: baton-fivetran/<version>`. */
  readonly version: string;
  readonly clock?: Clock;
  readonly maxRetries?: number;
  readonly maxRetryWaitMs?: number;
  readonly random?: () => number;
  readonly metrics?: FivetranClientMetrics;
  /** How long the role catalogue is reused (default 10 minutes). */
  readonly roleCacheTtlMs?: number;
  /** HTTPS_PROXY / NO_PROXY routing for the REST calls; absent means direct connections. */
  readonly proxy?: OutboundAgents;
  /** Most items one Fivetran list may hold before it is taken as endless (default 200,000). */
  readonly maxListItems?: number;
  /** When users' direct connection roles are scanned (one request per user); default `auto` up to 2,000. */
  readonly connectionUserScan?: ConnectionUserScan;
}

/**
 * The sync engine's page cap per listing for this connector. One Fivetran list takes at most
 * ceil(maxListItems / 1000) + 1 pages, and a grant listing may walk three (a team's members, then its groups,
 * then its connections; every user then every team for role grants), so three times that.
 */
export const syncPagesPerListing = (maxListItems: number): number =>
  3 * maxPagesFor(maxListItems, PAGE_LIMIT);

const METADATA: ConnectorMetadata = {
  displayName: 'Fivetran',
  helpUrl: 'https://www.conductorone.com/docs/baton/fivetran',
  description:
    'Syncs Fivetran users, destination groups, teams, account roles, connections and system keys, and ' +
    'provisions account roles, group roles, connection roles and team memberships.',
  accountCreationSchema: {
    fieldMap: {
      email: {
        displayName: 'Email',
        required: true,
        order: 1,
        description: 'Email to invite',
        stringField: {},
      },
      given_name: { displayName: 'Given name', required: true, order: 2, stringField: {} },
      family_name: { displayName: 'Family name', required: true, order: 3, stringField: {} },
      role: {
        displayName: 'Account role',
        required: false,
        order: 4,
        description: 'Fivetran account role name, e.g. Account Reviewer; empty for none',
        stringField: {},
      },
    },
  },
};

/** The Fivetran connector: users, groups, teams and roles over the Fivetran REST API. */
export const createFivetranConnector = (opts: FivetranConnectorOptions): Connector => {
  const clock = opts.clock ?? systemClock;
  const log = opts.log;
  const client = new FivetranClient({
    baseUrl: opts.baseUrl,
    apiKey: opts.apiKey,
    apiSecret: opts.apiSecret,
    timeoutMs: opts.timeoutMs,
    concurrency: opts.concurrency,
    userAgent: `baton-fivetran/${opts.version}`,
    log,
    clock,
    maxRetries: opts.maxRetries,
    maxRetryWaitMs: opts.maxRetryWaitMs,
    random: opts.random,
    metrics: opts.metrics,
    ...(opts.maxListItems !== undefined ? { maxListItems: opts.maxListItems } : {}),
    ...(opts.proxy ? { proxy: opts.proxy } : {}),
  });
  const api = new FivetranApi(client);
  const ctx: FivetranContext = {
    api,
    roles: new RoleCatalogue({ api, clock, ttlMs: opts.roleCacheTtlMs }),
    keyOwner: new KeyOwner(api),
    log,
  };
  const syncers: readonly ResourceSyncer[] = [
    new UserSyncer(ctx),
    new GroupSyncer(ctx),
    new TeamSyncer(ctx),
    new RoleSyncer(ctx),
    new ConnectionSyncer(ctx, opts.connectionUserScan ?? DEFAULT_CONNECTION_USER_SCAN),
    new SystemKeySyncer(ctx, clock),
  ];
  return {
    metadata: () => METADATA,
    resourceSyncers: () => syncers,
    async validate(o: CallOptions): Promise<ValidateResult> {
      const id = await ctx.keyOwner.refresh(o);
      const details: Record<string, string> = {
        accountId: id.accountId,
        keyKind: id.isSystemKey ? 'system' : 'user',
      };
      if (id.accountName) details.accountName = id.accountName;
      if (id.userId) details.keyOwnerUserId = id.userId;
      return { details };
    },
  };
};
