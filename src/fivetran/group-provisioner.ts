import { invalidArgument } from '../connector/index.js';
import type {
  CallOptions,
  Entitlement,
  Grant,
  GrantResult,
  Resource,
  RevokeResult,
} from '../connector/index.js';
import type { FivetranApi, FivetranMembership } from './api.js';
import { entitlementTarget } from './entitlements.js';
import type { FivetranContext } from './fivetran-context.js';
import { groupRoleGrant } from './group-resource.js';
import { applyMembership, revokeMembership } from './membership.js';
import { principalOf } from './principal.js';

/** A user's or a team's role on a group: the same four calls under `/v1/users/…` or `/v1/teams/…`. */
interface GroupMembershipCalls {
  get(id: string, groupId: string, o: CallOptions): Promise<FivetranMembership | undefined>;
  add(id: string, groupId: string, role: string, o: CallOptions): Promise<void>;
  patch(id: string, groupId: string, role: string, o: CallOptions): Promise<void>;
  remove(id: string, groupId: string, o: CallOptions): Promise<void>;
}

const calls = (api: FivetranApi, type: 'user' | 'team'): GroupMembershipCalls =>
  type === 'user'
    ? {
        get: (id, g, o) => api.getUserGroup(id, g, o),
        add: (id, g, r, o) => api.addUserGroup(id, g, r, o),
        patch: (id, g, r, o) => api.patchUserGroup(id, g, r, o),
        remove: (id, g, o) => api.deleteUserGroup(id, g, o),
      }
    : {
        get: (id, g, o) => api.getTeamGroup(id, g, o),
        add: (id, g, r, o) => api.addTeamGroup(id, g, r, o),
        patch: (id, g, r, o) => api.patchTeamGroup(id, g, r, o),
        remove: (id, g, o) => api.deleteTeamGroup(id, g, o),
      };

const PRINCIPALS = ['user', 'team'] as const;

/** `group:<g>:<role>` for a user or team: POST, or PATCH when it is already in the group with another role. */
export const grantGroupRole = async (
  ctx: FivetranContext,
  principal: Resource,
  entitlement: Entitlement,
  o: CallOptions,
): Promise<GrantResult> => {
  const { resourceId: groupId, slug: role } = entitlementTarget(entitlement, 'group', 'grant');
  const p = principalOf(principal, entitlement, PRINCIPALS, 'grant');
  const roles = await ctx.roles.get(o);
  if (!roles.isDestinationRole(role)) {
    throw invalidArgument(
      `baton-fivetran: grant ${entitlement.id}: "${role}" is not a current destination role`,
    );
  }
  const c = calls(ctx.api, p.type);
  const grant = groupRoleGrant(
    entitlement.resource,
    role,
    principal,
    p.type === 'team' ? `team:${p.id}:member` : undefined,
  );
  return applyMembership({
    read: () => c.get(p.id, groupId, o),
    holds: (m) => roles.normalise(m.role) === role,
    add: () => c.add(p.id, groupId, role, o),
    update: () => c.patch(p.id, groupId, role, o),
    grant,
  });
};

/** Removes the principal from the group only when its current role there is the revoked one. */
export const revokeGroupRole = async (
  ctx: FivetranContext,
  grant: Grant,
  o: CallOptions,
): Promise<RevokeResult> => {
  const { resourceId: groupId, slug: role } = entitlementTarget(grant.entitlement, 'group', 'revoke');
  const p = principalOf(grant.principal, grant.entitlement, PRINCIPALS, 'revoke');
  const roles = await ctx.roles.get(o);
  const c = calls(ctx.api, p.type);
  return revokeMembership({
    read: () => c.get(p.id, groupId, o),
    holds: (m) => roles.normalise(m.role) === role,
    remove: () => c.remove(p.id, groupId, o),
  });
};
