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
import { connectionRoleGrant } from './connection-resource.js';
import { entitlementTarget } from './entitlements.js';
import type { FivetranContext } from './fivetran-context.js';
import { applyMembership, revokeMembership } from './membership.js';
import { principalOf } from './principal.js';

const PRINCIPALS = ['user', 'team'] as const;

/** The principal's role on the entitlement's connection: the calls grant and revoke both work through. */
const connectionMembership = async (
  ctx: FivetranContext,
  principal: Resource,
  entitlement: Entitlement,
  action: 'grant' | 'revoke',
  o: CallOptions,
) => {
  const { resourceId: connectionId, slug: role } = entitlementTarget(entitlement, 'connection', action);
  const p = principalOf(principal, entitlement, PRINCIPALS, action);
  const roles = await ctx.roles.get(o);
  const api = ctx.api;
  return {
    role,
    roles,
    read: () => api.getConnectionMember(p.type, p.id, connectionId, o),
    holds: (m: FivetranMembership) => roles.normalise(m.role) === role,
    add: () => api.addConnectionMember(p.type, p.id, connectionId, role, o),
    update: () => api.patchConnectionMember(p.type, p.id, connectionId, role, o),
    remove: () => api.deleteConnectionMember(p.type, p.id, connectionId, o),
  };
};

/** `connection:<c>:<role>` for a user or team: POST, or PATCH when it already holds another role there. */
export const grantConnectionRole = async (
  ctx: FivetranContext,
  principal: Resource,
  entitlement: Entitlement,
  o: CallOptions,
): Promise<GrantResult> => {
  const m = await connectionMembership(ctx, principal, entitlement, 'grant', o);
  if (!m.roles.isConnectionRole(m.role)) {
    throw invalidArgument(
      `baton-fivetran: grant ${entitlement.id}: "${m.role}" is not a current connection role`,
    );
  }
  return applyMembership({ ...m, grant: connectionRoleGrant(entitlement.resource, m.role, principal) });
};

/** Removes the membership only when the principal's current role on the connection is the revoked one. */
export const revokeConnectionRole = async (
  ctx: FivetranContext,
  grant: Grant,
  o: CallOptions,
): Promise<RevokeResult> =>
  revokeMembership(await connectionMembership(ctx, grant.principal, grant.entitlement, 'revoke', o));
