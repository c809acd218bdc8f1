import {
  annotations,
  entitlementId,
  grantId,
  resourceId,
  toStruct,
  toTimestamp,
} from '../connector/index.js';
import type { Entitlement, Grant, Resource, ResourceId } from '../connector/index.js';
import type { FivetranGroup } from './api.js';

export const groupResource = (g: FivetranGroup): Resource => {
  const profile = toStruct({ name: g.name, created_at: g.created_at ?? undefined });
  return {
    id: resourceId('group', g.id),
    displayName: g.name,
    annotations: [annotations.groupTrait({ profile })],
    profile,
    createdAt: toTimestamp(g.created_at),
  };
};

/** A grant of `group:<g>:<role>`; the entitlement is a stub (id and resource) as in baton-sdk's NewGrant. */
export const groupRoleGrant = (
  group: Resource | ResourceId,
  role: string,
  principal: Resource,
  expandFrom?: string,
): Grant => {
  const groupRes: Resource = 'id' in group ? group : { id: group };
  const entitlement: Entitlement = { id: entitlementId(groupRes, role), resource: groupRes, slug: role };
  return {
    id: grantId(entitlement.id, principal),
    entitlement,
    principal,
    ...(expandFrom ? { annotations: [annotations.grantExpandable([expandFrom])] } : {}),
  };
};
