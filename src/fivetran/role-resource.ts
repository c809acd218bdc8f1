import { annotations, entitlementId, grantId, resourceId, toStruct } from '../connector/index.js';
import type { Grant, Resource } from '../connector/index.js';
import type { FivetranRole } from './api.js';
import { ASSIGNED } from './entitlements.js';

/** `role:<name>`: roles have no id, the name is the key. */
export const roleResource = (r: FivetranRole): Resource => {
  const profile = toStruct({ name: r.name, is_custom: Boolean(r.is_custom), scope: [...(r.scope ?? [])] });
  return {
    id: resourceId('role', r.name),
    displayName: r.name,
    ...(r.description ? { description: r.description } : {}),
    annotations: [annotations.roleTrait({ profile })],
    profile,
  };
};

/** A grant of `role:<r>:assigned`; team principals expand to the team's members. */
export const roleAssignedGrant = (roleName: string, principal: Resource): Grant => {
  const role: Resource = { id: resourceId('role', roleName) };
  const id = entitlementId(role, ASSIGNED);
  const isTeam = principal.id.resourceType === 'team';
  return {
    id: grantId(id, principal),
    entitlement: { id, resource: role, slug: ASSIGNED },
    principal,
    ...(isTeam
      ? { annotations: [annotations.grantExpandable([`team:${principal.id.resource}:member`])] }
      : {}),
  };
};
