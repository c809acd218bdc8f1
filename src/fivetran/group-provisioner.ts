import { invalidArgument } from '../connector/index.js';
import type {
  CallOptions,
  Entitlement,
  Grant,
  GrantResult,
  Resource,
  RevokeResult,
} from '../connector/index.js';
import type { FivetranMembership } from './api.js';
import { entitlementTarget } from './entitlements.js';
import type { FivetranContext } from './fivetran-context.js';
import { groupRoleGrant } from './group-resource.js';
import { applyMembership, revokeMembership } from './membership.js';
import { principalOf } from './principal.js';

const PRINCIPALS = ['user', 'team'] as const;

/** The principal's role on the entitlement's group: the calls grant and revoke both work through. */
const groupMembership = async (
  ctx: FivetranContext,
  principal: Resource,
  entitlement: Entitlement,
  action: 'grant' | 'revoke',
  o: CallOptions,
) => {
  const { resourceId: groupId, slug: role } = entitlementTarget(entitlement, 'group', action);
  const p = principalOf(principal, entitlement, PRINCIPALS, action);
  const roles = await ctx.roles.get(o);
  const api = ctx.api;
  return {
    role,
    p,
    roles,
    read: () => api.getGroupMember(p.type, p.id, groupId, o),
    holds: (m: FivetranMembership) => roles.normalise(m.role) === role,
    add: () => api.addGroupMember(p.type, p.id, groupId, role, o),
    update: () => api.patchGroupMember(p.type, p.id, groupId, role, o),
    remove: () => api.deleteGroupMember(p.type, p.id, groupId, o),
  };
};

/** `group:<g>:<role>` for a user or team: POST, or PATCH when it is already in the group with another role. */
export const grantGroupRole = async (
  ctx: FivetranContext,
  principal: Resource,
  entitlement: Entitlement,
  o: CallOptions,
): Promise<GrantResult> => {
  const m = await groupMembership(ctx, principal, entitlement, 'grant', o);
  if (!m.roles.isDestinationRole(m.role)) {
    throw invalidArgument(
      `baton-fivetran: grant ${entitlement.id}: "${m.role}" is not a current destination role`,
    );
  }
  const teamEntitlement = m.p.type === 'team' ? `team:${m.p.id}:member` : undefined;
  return applyMembership({
    ...m,
    grant: groupRoleGrant(entitlement.resource, m.role, principal, teamEntitlement),
  });
};

/** Removes the principal from the group only when its current role there is the revoked one. */
export const revokeGroupRole = async (
  ctx: FivetranContext,
  grant: Grant,
  o: CallOptions,
): Promise<RevokeResult> =>
  revokeMembership(await groupMembership(ctx, grant.principal, grant.entitlement, 'revoke', o));
