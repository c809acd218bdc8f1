import { invalidArgument } from '../connector/index.js';
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
  return applyMembership({
    read: () => ctx.api.getTeamUser(teamId, user.id, o),
    holds: (m) => holds(slug, m.role),
    add: () => ctx.api.addTeamUser(teamId, user.id, wanted, o),
    update: () => ctx.api.patchTeamUser(teamId, user.id, wanted, o),
    grant,
  });
};

/** `member`: remove from the team (any role); `manager`: demote a Team Manager to Team Member. */
export const revokeTeamMembership = async (
  ctx: FivetranContext,
  grant: Grant,
  o: CallOptions,
): Promise<RevokeResult> => {
  const { teamId, slug } = slugOf(grant.entitlement, 'revoke');
  const user = principalOf(grant.principal, grant.entitlement, ['user'] as const, 'revoke');
  return revokeMembership({
    read: () => ctx.api.getTeamUser(teamId, user.id, o),
    holds: (m) => holds(slug, m.role),
    remove: () =>
      slug === MEMBER
        ? ctx.api.deleteTeamUser(teamId, user.id, o)
        : ctx.api.patchTeamUser(teamId, user.id, TEAM_MEMBER, o),
  });
};
