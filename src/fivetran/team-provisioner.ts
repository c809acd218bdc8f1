import { invalidArgument } from '../connector/index.js';
import type {
  CallOptions,
  Entitlement,
  Grant,
  GrantResult,
  Resource,
  RevokeResult,
} from '../connector/index.js';
import { TEAM_MANAGER, TEAM_MEMBER, type FivetranTeamUser } from './api.js';
import { MANAGER, MEMBER, entitlementTarget } from './entitlements.js';
import type { FivetranContext } from './fivetran-context.js';
import { applyMembership, revokeMembership } from './membership.js';
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

/** Any team role is a `member`; only Team Manager is a `manager`. */
const holds = (slug: 'member' | 'manager', role: string | null | undefined): boolean =>
  slug === MEMBER || role === TEAM_MANAGER;

/** The user's seat on the entitlement's team: the calls grant and revoke both work through. */
const teamSeat = (
  ctx: FivetranContext,
  principal: Resource,
  entitlement: Entitlement,
  action: 'grant' | 'revoke',
  o: CallOptions,
) => {
  const { teamId, slug } = slugOf(entitlement, action);
  const user = principalOf(principal, entitlement, ['user'] as const, action);
  const wanted = slug === MANAGER ? TEAM_MANAGER : TEAM_MEMBER;
  return {
    slug,
    read: () => ctx.api.getTeamUser(teamId, user.id, o),
    holds: (m: FivetranTeamUser) => holds(slug, m.role),
    add: () => ctx.api.addTeamUser(teamId, user.id, wanted, o),
    update: () => ctx.api.patchTeamUser(teamId, user.id, wanted, o),
    remove: () =>
      slug === MEMBER
        ? ctx.api.deleteTeamUser(teamId, user.id, o)
        : ctx.api.patchTeamUser(teamId, user.id, TEAM_MEMBER, o),
  };
};

/** `member`: add as Team Member unless already in the team; `manager`: add or promote to Team Manager. */
export const grantTeamMembership = async (
  ctx: FivetranContext,
  principal: Resource,
  entitlement: Entitlement,
  o: CallOptions,
): Promise<GrantResult> => {
  const seat = teamSeat(ctx, principal, entitlement, 'grant', o);
  return applyMembership({ ...seat, grant: teamGrant(entitlement.resource, seat.slug, principal) });
};

/** `member`: remove from the team (any role); `manager`: demote a Team Manager to Team Member. */
export const revokeTeamMembership = async (
  ctx: FivetranContext,
  grant: Grant,
  o: CallOptions,
): Promise<RevokeResult> => revokeMembership(teamSeat(ctx, grant.principal, grant.entitlement, 'revoke', o));
