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

/** The principal's account role: the calls grant and revoke of `role:<r>:assigned` both work through. */
const accountRole = async (
  ctx: FivetranContext,
  principal: Resource,
  entitlement: Entitlement,
  action: 'grant' | 'revoke',
  o: CallOptions,
) => {
  const role = roleOf(entitlement, action);
  const p = principalOf(principal, entitlement, PRINCIPALS, action);
  const roles = await ctx.roles.get(o);
  return {
    role,
    roles,
    // Undefined when the principal no longer exists.
    read: (): Promise<{ readonly role?: string | null } | undefined> =>
      p.type === 'user' ? ctx.api.getUser(p.id, o) : ctx.api.getTeam(p.id, o),
    holds: (current: { readonly role?: string | null }) => roles.normalise(current.role) === role,
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
    remove: () => (p.type === 'user' ? ctx.api.deleteUserRole(p.id, o) : ctx.api.deleteTeamRole(p.id, o)),
  };
};

/** `role:<r>:assigned`: PATCH the user's or team's `role`, unless it already holds `r`. */
export const grantAccountRole = async (
  ctx: FivetranContext,
  principal: Resource,
  entitlement: Entitlement,
  o: CallOptions,
): Promise<GrantResult> => {
  const m = await accountRole(ctx, principal, entitlement, 'grant', o);
  if (!m.roles.isAccountRole(m.role)) {
    throw invalidArgument(
      `baton-fivetran: grant ${entitlement.id}: "${m.role}" is not a current account role`,
    );
  }
  return applyMembership({ ...m, grant: roleAssignedGrant(m.role, principal) });
};

/** Removes the account role (`DELETE …/role`) only while the principal still holds `r`. */
export const revokeAccountRole = async (
  ctx: FivetranContext,
  grant: Grant,
  o: CallOptions,
): Promise<RevokeResult> =>
  revokeMembership(await accountRole(ctx, grant.principal, grant.entitlement, 'revoke', o));
