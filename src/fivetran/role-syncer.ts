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
import { roleAssignedEntitlement } from './entitlements.js';
import { rateLimitAnnotations, type FivetranContext } from './fivetran-context.js';
import { decodePhaseToken, encodePhaseToken } from './page-token.js';
import { ROLE_TYPE } from './resource-types.js';
import { roleAssignedGrant, roleResource } from './role-resource.js';
import { grantAccountRole, revokeAccountRole } from './role-provisioner.js';

const ROLE_GRANT_PHASES = ['users', 'teams'] as const;

/** A catalogue younger than this is reused when a sync starts listing roles; older ones are refetched. */
const ROLE_LIST_MAX_AGE_MS = 60_000;

/**
 * `role` resources: the current account roles from `GET /v1/roles`. Grants come from one pass over
 * `/v1/users` then `/v1/teams` (`typeGrants`), since the role a user or team holds is a field on it.
 */
export class RoleSyncer implements ResourceSyncer, ResourceGetter, Provisioner {
  readonly resourceType = ROLE_TYPE;

  constructor(readonly ctx: FivetranContext) {}

  async list(_parent: ResourceId | undefined, req: ListRequest): Promise<Page<Resource>> {
    const roles = await this.ctx.roles.get({ signal: req.signal, maxAgeMs: ROLE_LIST_MAX_AGE_MS });
    return { items: roles.accountRoles().map(roleResource), annotations: rateLimitAnnotations(this.ctx) };
  }

  /**
   * One account role for a targeted sync, by name from the role catalogue (roles have no id). A deprecated
   * or non-account role is not a resource, so it is not found either.
   */
  async get(id: ResourceId, _parent: ResourceId | undefined, o: CallOptions): Promise<Resource | undefined> {
    const roles = await this.ctx.roles.get({ signal: o.signal, maxAgeMs: ROLE_LIST_MAX_AGE_MS });
    const role = roles.get(id.resource);
    return role && roles.isAccountRole(role.name) ? roleResource(role) : undefined;
  }

  async entitlements(resource: Resource): Promise<Page<Entitlement>> {
    return { items: [roleAssignedEntitlement(resource)] };
  }

  /** Every `role:<r>:assigned` grant in one walk. */
  typeGrants(req: ListRequest): Promise<Page<Grant>> {
    return this.#walk(req, undefined);
  }

  /** The same walk kept to one role, for an engine that lists grants per resource. */
  grants(resource: Resource, req: ListRequest): Promise<Page<Grant>> {
    return this.#walk(req, resource.id.resource);
  }

  grant(principal: Resource, entitlement: Entitlement, o: CallOptions): Promise<GrantResult> {
    return grantAccountRole(this.ctx, principal, entitlement, o);
  }

  revoke(grant: Grant, o: CallOptions): Promise<RevokeResult> {
    return revokeAccountRole(this.ctx, grant, o);
  }

  async #walk(req: ListRequest, only: string | undefined): Promise<Page<Grant>> {
    const at = decodePhaseToken(req.pageToken, ROLE_GRANT_PHASES, 'list role grants');
    const roles = await this.ctx.roles.get(req);
    const held = (name: string | null | undefined): string | undefined => {
      const role = roles.normalise(name);
      return role !== undefined && roles.isAccountRole(role) && (only === undefined || role === only)
        ? role
        : undefined;
    };
    const items: Grant[] = [];
    let nextPageToken: string | undefined;
    if (at.phase === 'users') {
      const page = await this.ctx.api.listUsers({ cursor: at.cursor, signal: req.signal });
      for (const u of page.items) {
        const role = held(u.role);
        if (role) items.push(roleAssignedGrant(role, { id: resourceId('user', u.id) }));
      }
      nextPageToken = encodePhaseToken(
        page.nextCursor ? { phase: 'users', cursor: page.nextCursor } : { phase: 'teams' },
      );
    } else {
      const page = await this.ctx.api.listTeams({ cursor: at.cursor, signal: req.signal });
      for (const t of page.items) {
        const role = held(t.role);
        if (role) items.push(roleAssignedGrant(role, { id: resourceId('team', t.id) }));
      }
      nextPageToken = page.nextCursor
        ? encodePhaseToken({ phase: 'teams', cursor: page.nextCursor })
        : undefined;
    }
    return { items, nextPageToken, annotations: rateLimitAnnotations(this.ctx) };
  }
}
