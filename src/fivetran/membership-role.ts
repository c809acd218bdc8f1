import { annotations, entitlementId, grantId, invalidArgument } from '../connector/index.js';
import type {
  CallOptions,
  Entitlement,
  Grant,
  GrantResult,
  Resource,
  ResourceId,
  RevokeResult,
} from '../connector/index.js';
import type { FivetranMembership, MembershipCollection, MembershipRef } from './api.js';
import { entitlementTarget } from './entitlements.js';
import type { FivetranContext } from './fivetran-context.js';
import { applyMembership, revokeMembership } from './membership.js';
import { principalOf } from './principal.js';
import type { RoleSet } from './role-catalogue.js';

// A user's or team's role on a destination group or on a connection: `<type>:<id>:<role>` entitlements that
// Fivetran keeps under `/v1/{users|teams}/{id}/{groups|connections}`.

/**
 * A grant of `<type>:<id>:<role>`; the entitlement is a stub (id and resource) as in baton-sdk's NewGrant.
 * A team's grant expands to the team's members (`team:<t>:member`).
 */
export const membershipRoleGrant = (
  target: Resource | ResourceId,
  role: string,
  principal: Resource,
): Grant => {
  const res: Resource = 'id' in target ? target : { id: target };
  const entitlement: Entitlement = { id: entitlementId(res, role), resource: res, slug: role };
  const isTeam = principal.id.resourceType === 'team';
  return {
    id: grantId(entitlement.id, principal),
    entitlement,
    principal,
    ...(isTeam
      ? { annotations: [annotations.grantExpandable([`team:${principal.id.resource}:member`])] }
      : {}),
  };
};

/** What differs between group roles and connection roles; the grant and revoke flow is the same. */
interface MembershipRoleKind {
  /** The entitlement's resource type. */
  readonly resourceType: 'group' | 'connection';
  /** Where Fivetran keeps the roles: `/v1/{users|teams}/{id}/{collection}`. */
  readonly collection: MembershipCollection;
  /** The roles' scope as the grant error names it. */
  readonly scope: 'destination' | 'connection';
  readonly isCurrentRole: (roles: RoleSet, role: string) => boolean;
}

const PRINCIPALS = ['user', 'team'] as const;

/**
 * Grant (POST, or PATCH when the principal already holds another role there) and revoke (DELETE only while
 * the principal's current role there is the revoked one) of one kind of membership role.
 */
const membershipRoleProvisioner = (kind: MembershipRoleKind) => {
  /** The principal's role on the entitlement's target: the calls grant and revoke both work through. */
  const membership = async (
    ctx: FivetranContext,
    principal: Resource,
    entitlement: Entitlement,
    action: 'grant' | 'revoke',
    o: CallOptions,
  ) => {
    const { resourceId: targetId, slug: role } = entitlementTarget(entitlement, kind.resourceType, action);
    const p = principalOf(principal, entitlement, PRINCIPALS, action);
    const roles = await ctx.roles.get(o);
    const api = ctx.api;
    const ref: MembershipRef = { kind: p.type, id: p.id, collection: kind.collection, targetId };
    return {
      role,
      roles,
      read: () => api.getMember(ref, o),
      holds: (m: FivetranMembership) => roles.normalise(m.role) === role,
      add: () => api.addMember(ref, role, o),
      update: () => api.patchMember(ref, role, o),
      remove: () => api.deleteMember(ref, o),
    };
  };

  const grant = async (
    ctx: FivetranContext,
    principal: Resource,
    entitlement: Entitlement,
    o: CallOptions,
  ): Promise<GrantResult> => {
    const m = await membership(ctx, principal, entitlement, 'grant', o);
    if (!kind.isCurrentRole(m.roles, m.role)) {
      throw invalidArgument(
        `baton-fivetran: grant ${entitlement.id}: "${m.role}" is not a current ${kind.scope} role`,
      );
    }
    return applyMembership({ ...m, grant: membershipRoleGrant(entitlement.resource, m.role, principal) });
  };

  const revoke = async (ctx: FivetranContext, grant: Grant, o: CallOptions): Promise<RevokeResult> =>
    revokeMembership(await membership(ctx, grant.principal, grant.entitlement, 'revoke', o));

  return { grant, revoke };
};

/** `group:<g>:<role>` (a destination role) for a user or team. */
export const { grant: grantGroupRole, revoke: revokeGroupRole } = membershipRoleProvisioner({
  resourceType: 'group',
  collection: 'groups',
  scope: 'destination',
  isCurrentRole: (roles, role) => roles.isDestinationRole(role),
});

/** `connection:<c>:<role>` (a connection role) for a user or team. */
export const { grant: grantConnectionRole, revoke: revokeConnectionRole } = membershipRoleProvisioner({
  resourceType: 'connection',
  collection: 'connections',
  scope: 'connection',
  isCurrentRole: (roles, role) => roles.isConnectionRole(role),
});
