import { annotations, entitlementId, grantId, resourceId, toStruct } from '../connector/index.js';
import type { Grant, Resource } from '../connector/index.js';
import type { FivetranTeam } from './api.js';

export const teamResource = (t: FivetranTeam): Resource => {
  const profile = toStruct({ name: t.name, description: t.description ?? '', role: t.role ?? '' });
  return {
    id: resourceId('team', t.id),
    displayName: t.name,
    ...(t.description ? { description: t.description } : {}),
    annotations: [annotations.groupTrait({ profile })],
    profile,
  };
};

/** A grant of `team:<t>:member` or `team:<t>:manager` to a user. */
export const teamGrant = (team: Resource, slug: 'member' | 'manager', principal: Resource): Grant => {
  const id = entitlementId(team, slug);
  return { id: grantId(id, principal), entitlement: { id, resource: team, slug }, principal };
};
