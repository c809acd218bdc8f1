import { resourceId, toStruct, toTimestamp } from '../connector/index.js';
import type { Resource } from '../connector/index.js';
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

/** The current connection role a membership holds, or undefined (no role, unknown or another scope). */
export const connectionRole = (roles: RoleSet, name: string | null | undefined): string | undefined => {
  const role = roles.normalise(name);
  return role !== undefined && roles.isConnectionRole(role) ? role : undefined;
};
