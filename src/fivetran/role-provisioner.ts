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
import { isNotFound } from './errors.js';
import type { FivetranContext } from './fivetran-context.js';
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
  const current = await currentRole(ctx, p, o);
  if (!current) {
    throw notFound(
      `baton-fivetran: grant ${entitlement.id} to ${p.type}:${p.id}: the ${p.type} does not exist`,
    );
  }
  if (roles.normalise(current.role) === role) return { alreadyExists: true, grants: [grant] };
  if (p.type === 'user') await ctx.api.patchUser(p.id, { role }, o);
  else await ctx.api.patchTeam(p.id, { role }, o);
  return { grants: [grant] };
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
  const current = await currentRole(ctx, p, o);
  if (!current || roles.normalise(current.role) !== role) return { alreadyRevoked: true };
  try {
    if (p.type === 'user') await ctx.api.deleteUserRole(p.id, o);
    else await ctx.api.deleteTeamRole(p.id, o);
    return {};
  } catch (err) {
    if (isNotFound(err)) return { alreadyRevoked: true };
    throw err;
  }
};
