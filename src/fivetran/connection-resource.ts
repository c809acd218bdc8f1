import {
  annotations,
  entitlementId,
  grantId,
  resourceId,
  toStruct,
  toTimestamp,
} from '../connector/index.js';
import type { Entitlement, Grant, Resource, ResourceId } from '../connector/index.js';
import type { FivetranConnection } from './api.js';
import type { RoleSet } from './role-catalogue.js';

/**
 * `connection:<id>` under its `group:<group_id>` (fivetran-model.md "Connections and system keys"). Only the
 * listed fields are copied: the listing also carries the connection's `config`, which never leaves.
 */
export const connectionResource = (c: FivetranConnection, groupName: string | undefined): Resource => {
  const service = c.service ?? '';
  const schema = c.schema ?? '';
  const profile = toStruct({
    service,
    schema,
    paused: Boolean(c.paused),
    setup_state: c.status?.setup_state ?? '',
    sync_frequency: c.sync_frequency ?? undefined,
    created_at: c.created_at ?? undefined,
  });
  return {
    id: resourceId('connection', c.id),
    parentResourceId: resourceId('group', c.group_id),
    displayName: schema || c.id,
    description: `${service} in ${groupName ?? c.group_id}`,
    profile,
    createdAt: toTimestamp(c.created_at),
  };
};

/** A grant of `connection:<c>:<role>`; team principals expand to the team's members. */
export const connectionRoleGrant = (
  connection: Resource | ResourceId,
  role: string,
  principal: Resource,
): Grant => {
  const res: Resource = 'id' in connection ? connection : { id: connection };
  const entitlement: Entitlement = { id: entitlementId(res, role), resource: res, slug: role };
  const isTeam = principal.id.resourceType === 'team';
  return {
    id: grantId(entitlement.id, principal),
    entitlement,
    principal,
    ...(isTeam
      ? { annotations: [annotations.grantExpandable([`team:${principal.id.resource}:member`])] }
      : {}),
  };
};

/** The current connection role a membership holds, or undefined (no role, unknown or another scope). */
export const connectionRole = (roles: RoleSet, name: string | null | undefined): string | undefined => {
  const role = roles.normalise(name);
  return role !== undefined && roles.isConnectionRole(role) ? role : undefined;
};
