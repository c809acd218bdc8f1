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
import type { FivetranApi, FivetranMembership, GroupMemberKind } from './api.js';
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

type Holder = { readonly type: GroupMemberKind; readonly id: string };

/** What differs between group roles and connection roles; the grant and revoke flow is the same. */
interface MembershipRoleKind {
  /** The entitlement's resource type. */
  readonly resourceType: 'group' | 'connection';
  /** The roles' scope as the grant error names it ("destination", "connection"). */
  readonly scope: string;
  readonly isCurrentRole: (roles: RoleSet, role: string) => boolean;
  readonly read: (
    api: FivetranApi,
    h: Holder,
    targetId: string,
    o: CallOptions,
  ) => Promise<FivetranMembership | undefined>;
  readonly add: (
    api: FivetranApi,
    h: Holder,
    targetId: string,
    role: string,
    o: CallOptions,
  ) => Promise<void>;
  readonly update: (
    api: FivetranApi,
    h: Holder,
    targetId: string,
    role: string,
    o: CallOptions,
  ) => Promise<void>;
  readonly remove: (api: FivetranApi, h: Holder, targetId: string, o: CallOptions) => Promise<void>;
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
    return {
      role,
      roles,
      read: () => kind.read(api, p, targetId, o),
      holds: (m: FivetranMembership) => roles.normalise(m.role) === role,
      add: () => kind.add(api, p, targetId, role, o),
      update: () => kind.update(api, p, targetId, role, o),
      remove: () => kind.remove(api, p, targetId, o),
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
  scope: 'destination',
  isCurrentRole: (roles, role) => roles.isDestinationRole(role),
  read: (api, h, groupId, o) => api.getGroupMember(h.type, h.id, groupId, o),
  add: (api, h, groupId, role, o) => api.addGroupMember(h.type, h.id, groupId, role, o),
  update: (api, h, groupId, role, o) => api.patchGroupMember(h.type, h.id, groupId, role, o),
  remove: (api, h, groupId, o) => api.deleteGroupMember(h.type, h.id, groupId, o),
});

/** `connection:<c>:<role>` (a connection role) for a user or team. */
export const { grant: grantConnectionRole, revoke: revokeConnectionRole } = membershipRoleProvisioner({
  resourceType: 'connection',
  scope: 'connection',
  isCurrentRole: (roles, role) => roles.isConnectionRole(role),
  read: (api, h, connectionId, o) => api.getConnectionMember(h.type, h.id, connectionId, o),
  add: (api, h, connectionId, role, o) => api.addConnectionMember(h.type, h.id, connectionId, role, o),
  update: (api, h, connectionId, role, o) => api.patchConnectionMember(h.type, h.id, connectionId, role, o),
  remove: (api, h, connectionId, o) => api.deleteConnectionMember(h.type, h.id, connectionId, o),
});
