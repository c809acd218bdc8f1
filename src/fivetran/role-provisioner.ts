import { invalidArgument, notFound } from '../connector/index.js';
import type {
  CallOptions,
  Entitlement,
  Grant,
  GrantResult,
  Resource,
  RevokeResult,
} from '../connector/index.js';
import { ASSIGNED, entitlementTarget } from './entitlements.js';
import type { FivetranContext } from './fivetran-context.js';
import { applyMembership, revokeMembership } from './membership.js';
import { principalOf } from './principal.js';
import { roleAssignedGrant } from './role-resource.js';

const PRINCIPALS = ['user', 'team'] as const;

const roleOf = (entitlement: Entitlement, action: string): string => {
  const t = entitlementTarget(entitlement, 'role', action);
  if (t.slug !== ASSIGNED) {
    throw invalidArgument(
      `baton-fivetran: ${action} ${entitlement.id}: unknown role entitlement "${t.slug}"`,
    );
  }
  return t.resourceId;
};

/** Current account role of a user or team; undefined when the principal no longer exists. */
const currentRole = async (
  ctx: FivetranContext,
  p: { type: 'user' | 'team'; id: string },
  o: CallOptions,
): Promise<{ readonly role?: string | null } | undefined> =>
  p.type === 'user' ? ctx.api.getUser(p.id, o) : ctx.api.getTeam(p.id, o);

/** `role:<r>:assigned`: PATCH the user's or team's `role`, unless it already holds `r`. */
export const grantAccountRole = async (
  ctx: FivetranContext,
  principal: Resource,
  entitlement: Entitlement,
  o: CallOptions,
): Promise<GrantResult> => {
  const role = roleOf(entitlement, 'grant');
  const p = principalOf(principal, entitlement, PRINCIPALS, 'grant');
  const roles = await ctx.roles.get(o);
  if (!roles.isAccountRole(role)) {
    throw invalidArgument(`baton-fivetran: grant ${entitlement.id}: "${role}" is not a current account role`);
  }
  const grant = roleAssignedGrant(role, principal);
  return applyMembership({
    read: () => currentRole(ctx, p, o),
    holds: (current) => roles.normalise(current.role) === role,
    // An account role always has a slot to PATCH; finding none means the principal itself is gone.
    add: () =>
      Promise.reject(
        notFound(
          `baton-fivetran: grant ${entitlement.id} to ${p.type}:${p.id}: the ${p.type} does not exist`,
        ),
      ),
    update: async () => {
      if (p.type === 'user') await ctx.api.patchUser(p.id, { role }, o);
      else await ctx.api.patchTeam(p.id, { role }, o);
    },
    grant,
  });
};

/** Removes the account role (`DELETE …/role`) only while the principal still holds `r`. */
export const revokeAccountRole = async (
  ctx: FivetranContext,
  grant: Grant,
  o: CallOptions,
): Promise<RevokeResult> => {
  const role = roleOf(grant.entitlement, 'revoke');
  const p = principalOf(grant.principal, grant.entitlement, PRINCIPALS, 'revoke');
  const roles = await ctx.roles.get(o);
  return revokeMembership({
    read: () => currentRole(ctx, p, o),
    holds: (current) => roles.normalise(current.role) === role,
    remove: () => (p.type === 'user' ? ctx.api.deleteUserRole(p.id, o) : ctx.api.deleteTeamRole(p.id, o)),
  });
};
