import { resourceId } from '../connector/index.js';
import type {
  CallOptions,
  Entitlement,
  Grant,
  GrantResult,
  ListRequest,
  Page,
  Provisioner,
  Resource,
  ResourceGetter,
  ResourceId,
  ResourceSyncer,
  RevokeResult,
} from '../connector/index.js';
import type { FivetranMembership, GroupMemberKind } from './api.js';
import { PAGE_LIMIT } from './client.js';
import { connectionResource, connectionRole } from './connection-resource.js';
import { connectionRoleEntitlement } from './entitlements.js';
import { emptyIfGone, rateLimitAnnotations, type FivetranContext } from './fivetran-context.js';
import { grantConnectionRole, membershipRoleGrant, revokeConnectionRole } from './membership-role.js';
import { decodePhaseToken, encodePhaseToken } from './page-token.js';
import { CONNECTION_TYPE } from './resource-types.js';
import type { RoleSet } from './role-catalogue.js';

/** Whether the per-user connection scan runs: `auto` only up to `userLimit` users. */
export type ConnectionUserScanMode = 'auto' | 'always' | 'never';

export interface ConnectionUserScan {
  readonly mode: ConnectionUserScanMode;
  /** In `auto` mode, accounts with more users than this skip the scan (default 2,000). */
  readonly userLimit: number;
}

export const DEFAULT_CONNECTION_USER_SCAN: ConnectionUserScan = { mode: 'auto', userLimit: 2000 };

const USER_SCAN_PHASES = ['users'] as const;
/** One connection's grant listing (targeted syncs): every team's connection roles, then every user's. */
const CONNECTION_GRANT_PHASES = ['teams', 'users'] as const;

/**
 * `connection` resources from `GET /v1/connections`, each under its group, with one entitlement per current
 * connection role. In a full sync team grants come from the team syncer (one request per team); user grants
 * need one request per user (`GET /v1/users/<u>/connections`), so `typeGrants` walks `/v1/users` only when the
 * scan is on. One connection's `grants` (a targeted sync) walk the teams as well, since no team syncer runs.
 */
export class ConnectionSyncer implements ResourceSyncer, ResourceGetter, Provisioner {
  readonly resourceType = CONNECTION_TYPE;
  readonly #groupNames = new Map<string, string>();

  constructor(
    readonly ctx: FivetranContext,
    readonly scan: ConnectionUserScan = DEFAULT_CONNECTION_USER_SCAN,
  ) {}

  async list(_parent: ResourceId | undefined, req: ListRequest): Promise<Page<Resource>> {
    const page = await this.ctx.api.listConnections({
      cursor: req.pageToken || undefined,
      signal: req.signal,
    });
    // Group names for descriptions: one `/v1/groups` walk per listing, and only when there are connections.
    const missing = page.items.some((c) => !this.#groupNames.has(c.group_id));
    if (page.items.length > 0 && (!req.pageToken || missing)) await this.#loadGroupNames(req);
    return {
      items: page.items.map((c) => connectionResource(c, this.#groupNames.get(c.group_id))),
      nextPageToken: page.nextCursor,
      annotations: rateLimitAnnotations(this.ctx),
    };
  }

  /**
   * One connection for a targeted sync: `GET /v1/connections/<id>` (undefined on 404) and its group's name for
   * the description (`GET /v1/groups/<group_id>`), built as the listing builds it.
   */
  async get(id: ResourceId, _parent: ResourceId | undefined, o: CallOptions): Promise<Resource | undefined> {
    const connection = await this.ctx.api.getConnection(id.resource, o);
    if (!connection) return undefined;
    const group = await this.ctx.api.getGroup(connection.group_id, o);
    return connectionResource(connection, group?.name);
  }

  async entitlements(resource: Resource, req: ListRequest): Promise<Page<Entitlement>> {
    const roles = await this.ctx.roles.get(req);
    return { items: roles.connectionRoles().map((r) => connectionRoleEntitlement(resource, r)) };
  }

  /** Every user's direct connection roles, in one walk over `/v1/users` (when the scan is on). */
  async typeGrants(req: ListRequest): Promise<Page<Grant>> {
    const at = decodePhaseToken(req.pageToken, USER_SCAN_PHASES, 'list connection grants');
    return this.#walk('user', req, at.cursor, undefined);
  }

  /**
   * The grants on one connection: its team roles (`/v1/teams`, then one request per team), then its users'
   * direct roles (the same user walk as `typeGrants`, under the same scan rule), kept to this connection.
   */
  async grants(resource: Resource, req: ListRequest): Promise<Page<Grant>> {
    const only = resource.id.resource;
    const what = `list grants for connection:${only}`;
    const at = decodePhaseToken(req.pageToken, CONNECTION_GRANT_PHASES, what);
    return this.#walk(at.phase === 'teams' ? 'team' : 'user', req, at.cursor, only);
  }

  grant(principal: Resource, entitlement: Entitlement, o: CallOptions): Promise<GrantResult> {
    return grantConnectionRole(this.ctx, principal, entitlement, o);
  }

  revoke(grant: Grant, o: CallOptions): Promise<RevokeResult> {
    return revokeConnectionRole(this.ctx, grant, o);
  }

  async #loadGroupNames(o: CallOptions): Promise<void> {
    for await (const groups of this.ctx.api.groupPages(o)) {
      for (const g of groups) this.#groupNames.set(g.id, g.name);
    }
  }

  /**
   * One page of `/v1/users` or `/v1/teams` and each holder's connection roles (on connection `only` when given).
   * The user walk's first page decides whether the scan runs; the team walk (one connection's grants) goes on to
   * the user walk.
   */
  async #walk(
    kind: GroupMemberKind,
    req: ListRequest,
    cursor: string | undefined,
    only: string | undefined,
  ): Promise<Page<Grant>> {
    if (kind === 'user' && cursor === undefined && !(await this.#scanWanted(req))) return { items: [] };
    const o = { cursor, signal: req.signal };
    const [roles, page] = await Promise.all([
      this.ctx.roles.get(req),
      kind === 'user' ? this.ctx.api.listUsers(o) : this.ctx.api.listTeams(o),
    ]);
    const items = await this.#holderGrants(kind, roles, page.items, only, req.signal);
    const phase = kind === 'user' ? 'users' : 'teams';
    const next = page.nextCursor
      ? { phase, cursor: page.nextCursor }
      : kind === 'team'
        ? { phase: 'users' }
        : undefined;
    return {
      items,
      nextPageToken: next && encodePhaseToken(next),
      annotations: rateLimitAnnotations(this.ctx),
    };
  }

  /** The connection-role grants the listed users or teams hold (on connection `only` when given). */
  async #holderGrants(
    kind: GroupMemberKind,
    roles: RoleSet,
    holders: readonly { readonly id: string }[],
    only: string | undefined,
    signal: AbortSignal,
  ): Promise<Grant[]> {
    const perHolder = await Promise.all(
      holders.map((h) => this.#memberships(kind, h.id, signal).then((ms) => [h.id, ms] as const)),
    );
    const items: Grant[] = [];
    for (const [holderId, memberships] of perHolder) {
      const principal: Resource = { id: resourceId(kind, holderId) };
      for (const m of memberships) {
        if (only !== undefined && m.id !== only) continue;
        const role = connectionRole(roles, m.role);
        if (role) items.push(membershipRoleGrant(resourceId('connection', m.id), role, principal));
      }
    }
    return items;
  }

  /** All pages of one user's or team's connection memberships; none when it disappeared mid-sync. */
  async #memberships(kind: GroupMemberKind, id: string, signal: AbortSignal): Promise<FivetranMembership[]> {
    const all = this.ctx.api.allConnectionMemberships(kind, id, { signal }).then((items) => ({ items }));
    return (await emptyIfGone(this.ctx, `${kind}:${id}`, all)).items;
  }

  /**
   * Decides once per walk whether the per-user scan runs, and logs what it costs (or would cost): one request per
   * user plus one `/v1/users` page per 1,000 users.
   */
  async #scanWanted(req: ListRequest): Promise<boolean> {
    const log = this.ctx.log;
    if (req.resourceCount?.('connection') === 0) {
      log.debug('no connections in this sync: the per-user connection scan is not needed');
      return false;
    }
    const limit = this.scan.userLimit;
    if (this.scan.mode === 'never') {
      log.info(
        { mode: 'never' },
        "per-user connection scan off: users' direct connection roles are not synced",
      );
      return false;
    }
    const users = req.resourceCount?.('user') ?? (await this.#countUsersUpTo(limit + 1, req));
    const requests = users + Math.max(1, Math.ceil(users / PAGE_LIMIT));
    if (this.scan.mode === 'auto' && users > limit) {
      log.warn(
        { users, userLimit: limit, mode: this.scan.mode, wouldCostRequests: requests },
        `per-user connection scan skipped: users' direct connection roles are not synced (it would cost about ` +
          `${requests} Fivetran requests; set --connection-user-scan=always to run it)`,
      );
      return false;
    }
    log.info({ users, userLimit: limit, mode: this.scan.mode, requests }, "scanning users' connection roles");
    return true;
  }

  /** Counts `/v1/users` up to `max` (a caller that does not track resource counts). */
  async #countUsersUpTo(max: number, o: CallOptions): Promise<number> {
    let n = 0;
    for await (const users of this.ctx.api.userPages(o)) {
      n += users.length;
      if (n >= max) break;
    }
    return n;
  }
}
