import { entitlementId, entitlementSlug, invalidArgument } from '../connector/index.js';
import type { Entitlement, Resource } from '../connector/index.js';
import { TEAM_TYPE, USER_TYPE } from './resource-types.js';

// fivetran-model.md "Entitlements". Slugs and purposes are part of the contract with C1.

export const ASSIGNED = 'assigned';
export const MEMBER = 'member';
export const MANAGER = 'manager';

const nameOf = (r: Resource): string => r.displayName ?? r.id.resource;

export const roleAssignedEntitlement = (role: Resource): Entitlement => ({
  resource: role,
  id: entitlementId(role, ASSIGNED),
  slug: ASSIGNED,
  displayName: `Fivetran role ${nameOf(role)} assigned`,
  description: `Holds the Fivetran account role ${nameOf(role)}`,
  purpose: 'PURPOSE_VALUE_ASSIGNMENT',
  grantableTo: [USER_TYPE, TEAM_TYPE],
});

type RoleDescription = { readonly name: string; readonly description?: string | null };

/** A role on a group or connection; the slug is the role name verbatim. */
const membershipRoleEntitlement = (
  target: Resource,
  noun: 'group' | 'connection',
  scope: 'destination' | 'connection',
  role: RoleDescription,
): Entitlement => ({
  resource: target,
  id: entitlementId(target, role.name),
  slug: role.name,
  displayName: `Fivetran ${noun} ${nameOf(target)} ${role.name}`,
  description: `Has the ${scope} role ${role.name} on the Fivetran ${noun} ${nameOf(target)}${
    role.description ? `: ${role.description}` : ''
  }`,
  purpose: 'PURPOSE_VALUE_PERMISSION',
  grantableTo: [USER_TYPE, TEAM_TYPE],
});

/** One per current destination role. */
export const groupRoleEntitlement = (group: Resource, role: RoleDescription): Entitlement =>
  membershipRoleEntitlement(group, 'group', 'destination', role);

/** One per current connection role. */
export const connectionRoleEntitlement = (connection: Resource, role: RoleDescription): Entitlement =>
  membershipRoleEntitlement(connection, 'connection', 'connection', role);

export const teamMemberEntitlement = (team: Resource): Entitlement => ({
  resource: team,
  id: entitlementId(team, MEMBER),
  slug: MEMBER,
  displayName: `Fivetran team ${nameOf(team)} member`,
  description: `Belongs to the Fivetran team ${nameOf(team)} (any team role)`,
  purpose: 'PURPOSE_VALUE_ASSIGNMENT',
  grantableTo: [USER_TYPE],
});

export const teamManagerEntitlement = (team: Resource): Entitlement => ({
  resource: team,
  id: entitlementId(team, MANAGER),
  slug: MANAGER,
  displayName: `Fivetran team ${nameOf(team)} manager`,
  description: `Belongs to the Fivetran team ${nameOf(team)} with the role Team Manager`,
  purpose: 'PURPOSE_VALUE_PERMISSION',
  grantableTo: [USER_TYPE],
});

/** The Fivetran id and slug an entitlement of `typeId` names, or InvalidArgument when it is not one of ours. */
export const entitlementTarget = (
  entitlement: Entitlement,
  typeId: string,
  action: string,
): { readonly resourceId: string; readonly slug: string } => {
  const rid = entitlement.resource?.id;
  const slug = rid ? entitlementSlug(entitlement.id, rid) : undefined;
  if (!rid || rid.resourceType !== typeId || !rid.resource || !slug) {
    throw invalidArgument(`baton-fivetran: ${action} ${entitlement.id}: not a ${typeId} entitlement`);
  }
  return { resourceId: rid.resource, slug };
};
