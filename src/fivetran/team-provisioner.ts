import { BatonError, invalidArgument } from '../connector/index.js';
import type {
  CallOptions,
  Entitlement,
  Grant,
  GrantResult,
  Resource,
  RevokeResult,
} from '../connector/index.js';
import { TEAM_MANAGER, TEAM_MEMBER } from './api.js';
import { MANAGER, MEMBER, entitlementTarget } from './entitlements.js';
import { isNotFound } from './errors.js';
import type { FivetranContext } from './fivetran-context.js';
import { principalOf } from './principal.js';
import { teamGrant } from './team-resource.js';

const slugOf = (entitlement: Entitlement, action: string) => {
  const t = entitlementTarget(entitlement, 'team', action);
  if (t.slug !== MEMBER && t.slug !== MANAGER) {
    throw invalidArgument(
      `baton-fivetran: ${action} ${entitlement.id}: unknown team entitlement "${t.slug}"`,
    );
  }
  return { teamId: t.resourceId, slug: t.slug as 'member' | 'manager' };
};

/** `member`: add as Team Member unless already in the team; `manager`: add or promote to Team Manager. */
export const grantTeamMembership = async (
  ctx: FivetranContext,
  principal: Resource,
  entitlement: Entitlement,
  o: CallOptions,
): Promise<GrantResult> => {
  const { teamId, slug } = slugOf(entitlement, 'grant');
  const user = principalOf(principal, entitlement, ['user'] as const, 'grant');
  const grant = teamGrant(entitlement.resource, slug, principal);
  const wanted = slug === MANAGER ? TEAM_MANAGER : TEAM_MEMBER;
  const holds = (role: string | null | undefined) => slug === MEMBER || role === TEAM_MANAGER;

  const current = await ctx.api.getTeamUser(teamId, user.id, o);
  if (current && holds(current.role)) return { alreadyExists: true, grants: [grant] };
  if (current) {
    await ctx.api.patchTeamUser(teamId, user.id, wanted, o);
    return { grants: [grant] };
  }
  try {
    await ctx.api.addTeamUser(teamId, user.id, wanted, o);
  } catch (err) {
    if (!(err instanceof BatonError && err.httpStatus === 409)) throw err;
    const now = await ctx.api.getTeamUser(teamId, user.id, o);
    if (!now) throw err;
    if (holds(now.role)) return { alreadyExists: true, grants: [grant] };
    await ctx.api.patchTeamUser(teamId, user.id, wanted, o);
  }
  return { grants: [grant] };
};

/** `member`: remove from the team (any role); `manager`: demote a Team Manager to Team Member. */
export const revokeTeamMembership = async (
  ctx: FivetranContext,
  grant: Grant,
  o: CallOptions,
): Promise<RevokeResult> => {
  const { teamId, slug } = slugOf(grant.entitlement, 'revoke');
  const user = principalOf(grant.principal, grant.entitlement, ['user'] as const, 'revoke');
  const current = await ctx.api.getTeamUser(teamId, user.id, o);
  if (!current || (slug === MANAGER && current.role !== TEAM_MANAGER)) return { alreadyRevoked: true };
  try {
    if (slug === MEMBER) await ctx.api.deleteTeamUser(teamId, user.id, o);
    else await ctx.api.patchTeamUser(teamId, user.id, TEAM_MEMBER, o);
    return {};
  } catch (err) {
    if (isNotFound(err)) return { alreadyRevoked: true };
    throw err;
  }
};
